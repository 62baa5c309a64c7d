package dev.tollgate.server.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tollgate.core.ledger.SpendRow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Spend rows that could not reach the database: one JSON line each ({@link SpillCodec}), appended at the end and
 * read back from the front once the database answers. The front part already replayed is remembered in memory
 * only; after a restart the whole file is replayed again, which is harmless because inserts ignore known request
 * ids. The file is emptied when everything in it has been replayed.
 *
 * <p>Not thread-safe: only the ledger's writer thread uses it. Every method blocks on the disk; {@link #append}
 * returns after the rows are on it (fsync). The file is locked so that two processes never share one.
 */
final class SpillFile implements AutoCloseable {
    static final String NAME = "ledger-spill.jsonl";
    private static final byte NEWLINE = '\n';
    private static final int READ_BUFFER = 64 << 10;

    private final Path path;
    private final long maxBytes;
    private final FileChannel channel;
    private final FileLock lock;
    /** The file's length: every row spilled and not yet emptied out. */
    private long size;
    /** The front bytes already written to the database. */
    private long replayed;

    private SpillFile(Path path, long maxBytes, FileChannel channel, FileLock lock) throws IOException {
        this.path = path;
        this.maxBytes = maxBytes;
        this.channel = channel;
        this.lock = lock;
        this.size = channel.size();
        endLastLine();
    }

    /** A run of rows read from the front, and where it ends in the file. */
    record Chunk(List<SpendRow> rows, int damaged, long end) {
        Chunk {
            rows = List.copyOf(rows);
        }
    }

    /**
     * Opens (or creates) {@code dir/ledger-spill.jsonl}, keeping what an earlier run left in it.
     *
     * @param maxBytes the most the file may hold; rows beyond it are refused by {@link #append}
     * @throws IOException when the directory cannot be made, or another process holds the file
     */
    static SpillFile open(Path dir, long maxBytes) throws IOException {
        Files.createDirectories(dir);
        Path path = dir.resolve(NAME);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IOException("another ledger is using the spill file " + path);
            }
            return new SpillFile(path, maxBytes, channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * A crash in the middle of an append can leave a last line without its newline. Ending it here makes it one
     * damaged line, counted and skipped on replay, instead of glueing the next row onto it.
     */
    private void endLastLine() throws IOException {
        if (size == 0) {
            return;
        }
        ByteBuffer last = ByteBuffer.allocate(1);
        channel.read(last, size - 1);
        if (last.get(0) != NEWLINE) {
            write(new byte[] {NEWLINE});
        }
    }

    Path path() {
        return path;
    }

    /** True while rows wait in the file for the database. */
    boolean pending() {
        return replayed < size;
    }

    /**
     * Appends rows in order, as many as fit under the cap, and forces them to disk.
     *
     * @return how many of {@code rows} (a prefix) were written; the others did not fit
     */
    int append(List<SpendRow> rows) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int fitting = 0;
        for (SpendRow row : rows) {
            byte[] line = (SpillCodec.encode(row) + "\n").getBytes(UTF_8);
            if (size + bytes.size() + line.length > maxBytes) {
                break;
            }
            bytes.write(line, 0, line.length);
            fitting++;
        }
        if (fitting > 0) {
            write(bytes.toByteArray());
        }
        return fitting;
    }

    private void write(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try {
            long position = size;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            channel.force(false);
        } catch (IOException e) {
            // A half-written batch (a full disk) is cut off so that the file ends on a whole line again.
            try {
                channel.truncate(size);
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        size += bytes.length;
    }

    /** Reads up to {@code maxRows} lines from the front; lines that do not decode are counted as damaged. */
    Chunk next(int maxRows) throws IOException {
        List<SpendRow> rows = new ArrayList<>();
        int damaged = 0;
        long position = replayed;
        long end = replayed;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
        while (position < size && rows.size() + damaged < maxRows) {
            buffer.clear().limit((int) Math.min(READ_BUFFER, size - position));
            int read = channel.read(buffer, position);
            if (read <= 0) {
                break;
            }
            buffer.flip();
            while (buffer.hasRemaining() && rows.size() + damaged < maxRows) {
                byte b = buffer.get();
                position++;
                if (b != NEWLINE) {
                    line.write(b);
                    continue;
                }
                end = position;
                if (line.size() > 0) {
                    try {
                        rows.add(SpillCodec.decode(line.toString(UTF_8)));
                    } catch (IllegalArgumentException e) {
                        damaged++;
                    }
                    line.reset();
                }
            }
        }
        return new Chunk(rows, damaged, end);
    }

    /** Marks a chunk as in the database; empties the file once nothing is left in it. */
    void consumed(Chunk chunk) throws IOException {
        replayed = chunk.end();
        if (replayed >= size) {
            channel.truncate(0);
            channel.force(false);
            size = 0;
            replayed = 0;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
