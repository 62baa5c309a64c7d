package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.runtime.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves the values of secret-bearing fields: {@code ${env:NAME}} from the environment, {@code ${file:/path}} from
 * a file (a mounted Kubernetes or Docker secret, say), anything else taken literally. A problem names the reference,
 * never the value. Files are read only if regular (a FIFO or device could block or never end) and at most
 * {@value #MAX_FILE_BYTES} bytes; trailing line breaks are trimmed because editors and {@code echo} add them.
 */
final class SecretReferences {
    /** The largest secret file read. */
    static final int MAX_FILE_BYTES = 64 * 1024;
    /** The reference of a secret written inline rather than as a reference: what its {@code toString} shows. */
    static final String LITERAL = "(literal)";

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z]+):(.*)}", Pattern.DOTALL);
    /** An environment variable's name as a reference may give it; {@link Redaction} shows such references. */
    static final String ENV_NAME_SYNTAX = "[A-Za-z_][A-Za-z0-9_]*";
    private static final Pattern ENV_NAME = Pattern.compile(ENV_NAME_SYNTAX);
    private static final String INLINE_SECRET =
            "the key is written in the file; use ${env:NAME} or ${file:/path} to keep it out of it";
    private static final String SYNTAX = "expected ${env:NAME} or ${file:/absolute/path}";

    private final Function<String, String> env;

    /** @param env looks up an environment variable, null when unset ({@code System::getenv} in production) */
    SecretReferences(Function<String, String> env) {
        this.env = requireNonNull(env, "env");
    }

    /**
     * The secret under {@code key} of {@code p}, or null when absent or unusable. A value written inline is allowed
     * but worth a warning: the file then holds the secret.
     */
    Secret field(MappingReader p, String key, Diagnostics problems) {
        String text = p.text(key);
        if (text == null) {
            return null;
        }
        Secret secret = resolve(text, p.origin(key), problems);
        if (secret != null && secret.reference().equals(LITERAL)) {
            problems.warn(p.origin(key), INLINE_SECRET);
        }
        return secret;
    }

    /** Whether {@code text} is meant as a reference: a field that takes none rejects it with a clear message. */
    static boolean isReference(String text) {
        return text.startsWith("${");
    }

    /**
     * The secret {@code text} stands for, or null when it cannot be resolved (the problem is recorded at
     * {@code at}). A literal is returned as a secret whose reference is {@value #LITERAL}.
     */
    Secret resolve(String text, Origin at, Diagnostics problems) {
        if (!isReference(text)) {
            return usable(new Secret(LITERAL, text), at, problems);
        }
        Matcher m = REFERENCE.matcher(text);
        if (!m.matches()) {
            problems.error(at, "malformed secret reference: " + SYNTAX);
            return null;
        }
        String source = m.group(1);
        String name = m.group(2);
        return switch (source) {
            case "env" -> fromEnv(text, name, at, problems);
            case "file" -> fromFile(text, name, at, problems);
            default -> {
                problems.error(at, "unknown secret source '" + source + "': " + SYNTAX);
                yield null;
            }
        };
    }

    private Secret fromEnv(String reference, String name, Origin at, Diagnostics problems) {
        if (!ENV_NAME.matcher(name).matches()) {
            // Not repeated in the message: a key pasted into the reference by mistake would be printed.
            problems.error(at, "${env:...} needs a variable name of letters, digits and _, not starting with a digit");
            return null;
        }
        String value = env.apply(name);
        if (value == null) {
            problems.error(at, "environment variable " + name + " is not set (referenced as " + reference + ")");
            return null;
        }
        return usable(new Secret(reference, value), at, problems);
    }

    private Secret fromFile(String reference, String name, Origin at, Diagnostics problems) {
        Path path;
        try {
            path = Path.of(name);
        } catch (InvalidPathException e) {
            path = null;
        }
        if (path == null || !path.isAbsolute()) {
            // Not repeated in the message: a key pasted into the reference by mistake would be printed.
            problems.error(at, "${file:...} needs an absolute file path");
            return null;
        }
        String content;
        try {
            content = read(path);
        } catch (NoSuchFileException e) {
            problems.error(at, "secret file " + name + " does not exist");
            return null;
        } catch (AccessDeniedException e) {
            problems.error(at, "secret file " + name + " is not readable (permission denied)");
            return null;
        } catch (CharacterCodingException e) {
            problems.error(at, "secret file " + name + " is not UTF-8 text");
            return null;
        } catch (Unusable e) {
            problems.error(at, "secret file " + name + " " + e.getMessage());
            return null;
        } catch (IOException e) {
            problems.error(at, "secret file " + name + " cannot be read: " + e.getClass().getSimpleName());
            return null;
        }
        return usable(new Secret(reference, content.replaceAll("[\r\n]+$", "")), at, problems);
    }

    /** Why a secret file that exists cannot be used; the message completes "secret file PATH ...". */
    private static final class Unusable extends IOException {
        Unusable(String message) {
            super(message);
        }
    }

    private static String read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            if (!Files.exists(path)) {
                throw new NoSuchFileException(path.toString());
            }
            throw new Unusable("is not a regular file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            // One byte over the cap tells "too large" apart from "exactly at the cap".
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new Unusable("is larger than " + SizeSyntax.format(MAX_FILE_BYTES));
        }
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    }

    /** The secret if it can go in an HTTP header: empty values and line breaks would corrupt the request. */
    private static Secret usable(Secret secret, Origin at, Diagnostics problems) {
        String value = secret.reveal();
        if (value.isEmpty()) {
            problems.error(at, "the value of " + describe(secret) + " is empty");
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                problems.error(at, "the value of " + describe(secret)
                        + " contains a line break or control character, which cannot go in an HTTP header");
                return null;
            }
        }
        return secret;
    }

    private static String describe(Secret secret) {
        return secret.reference().equals(LITERAL) ? "this value" : secret.reference();
    }
}
