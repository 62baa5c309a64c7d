package dev.tollgate.server.reload;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The applied configs of this process, numbered from 1: the newest {@link #KEPT} of them, and fewer when their
 * texts together pass {@link #KEPT_CHARS} (the version in force is always kept). In memory: after a restart the
 * file on disk is version 1 again (a rollback writes the file, so it survives the restart).
 */
final class ConfigHistory {
    static final int KEPT = 100;
    /** Large configs (up to the loader's file cap each) must not pile up in the heap a hundred times over. */
    static final long KEPT_CHARS = 16L << 20;

    private final ArrayDeque<ConfigVersion> versions = new ArrayDeque<>();
    private long chars;
    private int last;

    synchronized ConfigVersion add(String text, Instant at, String actor, String note) {
        var version = new ConfigVersion(++last, ConfigVersion.hashOf(text), at, actor, note, text);
        versions.addLast(version);
        chars += text.length();
        while (versions.size() > 1 && (versions.size() > KEPT || chars > KEPT_CHARS)) {
            chars -= versions.removeFirst().text().length();
        }
        return version;
    }

    synchronized ConfigVersion current() {
        return versions.getLast();
    }

    /** Version {@code number}, or null when there is none or it is no longer kept. */
    synchronized ConfigVersion get(int number) {
        for (ConfigVersion v : versions) {
            if (v.number() == number) {
                return v;
            }
        }
        return null;
    }

    /** The oldest version still kept. */
    synchronized int oldest() {
        return versions.getFirst().number();
    }

    synchronized List<ConfigVersion> newestFirst() {
        List<ConfigVersion> out = new ArrayList<>(versions.size());
        for (Iterator<ConfigVersion> it = versions.descendingIterator(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }
}
