package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the text of a config file into a copy an admin may see: the layout, comments and harmless values stay,
 * secrets become {@value #REDACTED}. Versions and diffs of the config are shown through it.
 *
 * <p>It works on lines rather than on a parsed tree, so it also serves files that do not parse (a rejected dry run
 * is shown too), and it leans towards redacting: where the structure is unclear, a value is treated as secret.
 */
public final class Redaction {
    /** What a secret is replaced with. */
    public static final String REDACTED = "<redacted>";

    /** Passes after which every anchor counts as secret; real files settle in one or two. */
    private static final int MAX_PASSES = 8;

    private static final Pattern LINE_BREAK = Pattern.compile("\r\n|[\n\r\u0085\u2028\u2029]");

    private Redaction() {}

    /**
     * The text with its secrets replaced, line for line: the result has the same line breaks, in the same order, as
     * {@code yamlText} (so line numbers of problems and diffs still match), and only a line's content changes.
     *
     * <p>Redacted, unless the value is a secret reference ({@code ${env:NAME}} or {@code ${file:/path}}, which is
     * shown) or a {@code sha256:} hash (shown as its first 8 hex digits and {@code …}):
     * <ul>
     *   <li>the value of a secret-bearing key, in any letter case and with {@code -}, {@code .} or camelCase read
     *       as {@code _}: {@code key}, {@code apikey}, {@code secret}, {@code password}, {@code passwd},
     *       {@code passphrase}, {@code token}, {@code access_key_id}, {@code secret_access_key},
     *       {@code session_token}, {@code private_key}, {@code credential}, {@code credentials},
     *       {@code authorization}, {@code hash}, {@code sig}, {@code signature}, and any key ending in {@code _} and
     *       one of these (such as {@code api_key}, {@code aws_secret_access_key} or {@code X-Api-Key}); whatever is
     *       nested under such a key, in block or flow style, and every content line of a block scalar
     *       ({@code api_key: |}), indentation kept;
     *   <li>the values under {@code headers} (header values are secrets in this config);
     *   <li>the items of a list of keys ({@code keys:} or a key ending in {@code _keys}): an item that is a mapping
     *       (a virtual key) keeps its fields and is judged field by field;
     *   <li>the value of an alias ({@code *name}) used where a secret is expected: its anchored node is redacted;
     *   <li>the continuation lines of a multi-line secret scalar, plain or quoted.
     * </ul>
     * In every other key, value and comment, the following are redacted where they appear:
     * <ul>
     *   <li>the password of a URL ({@code postgresql://user:<redacted>@host/db}), keeping the user;
     *   <li>the value of a secret-looking assignment such as {@code ?api_key=...}, {@code &sig=...} or
     *       {@code password: ...} inside text, and the credentials after {@code Bearer};
     *   <li>anything that looks like a key: {@code sk-...}, {@code tg-...}, AWS key ids ({@code AKIA...}), runs of
     *       32 or more hex digits, and runs of 32 or more base64 characters mixing upper case, lower case and digits;
     *   <li>from a {@code -----BEGIN ... PRIVATE KEY-----} line to the matching {@code END} line, every line.
     * </ul>
     * Never throws: any text is accepted, YAML or not.
     */
    public static String redact(String yamlText) {
        requireNonNull(yamlText, "yamlText");
        List<Line> lines = Line.split(yamlText);
        // An alias in a secret place makes its anchor secret, which can put further aliases in secret places, so
        // passes repeat until the set of secret anchors stops growing.
        Set<String> secretAnchors = Set.of();
        for (int pass = 1; ; pass++) {
            var redactor = new Redactor(secretAnchors);
            String out = redactor.run(lines);
            if (secretAnchors.containsAll(redactor.secretAliases)) {
                return out;
            }
            var grown = new HashSet<>(secretAnchors);
            grown.addAll(redactor.secretAliases);
            if (pass == MAX_PASSES) {
                grown.addAll(redactor.anchors);
                return new Redactor(grown).run(lines);
            }
            secretAnchors = grown;
        }
    }

    /** A line's content and the line break after it (empty for the last line when the text does not end in one). */
    private record Line(String text, String end) {
        static List<Line> split(String text) {
            var lines = new ArrayList<Line>();
            Matcher m = LINE_BREAK.matcher(text);
            int start = 0;
            while (m.find()) {
                lines.add(new Line(text.substring(start, m.start()), m.group()));
                start = m.end();
            }
            lines.add(new Line(text.substring(start), ""));
            return lines;
        }
    }

    /** What the values of a node are, seen from the keys above it. */
    private enum Context {
        /** Nothing above makes it secret: its own keys decide. */
        PLAIN,
        /** Under a secret-bearing key: every value in it is secret. */
        SECRET,
        /** The value of a list of keys: a scalar in it is secret, and so is every value of a mapping in it. */
        KEY_LIST,
        /** An item of a list of keys: a scalar is secret; a mapping (a virtual key) is judged key by key. */
        KEY_ITEM;

        boolean secret() {
            return this != PLAIN;
        }

        /** The context of the value of {@code key} in a mapping in this context. */
        Context entry(String key) {
            return switch (this) {
                case PLAIN, KEY_ITEM -> SecretNames.contextOf(key);
                case SECRET, KEY_LIST -> SECRET;
            };
        }

        /** The context of an item of a sequence in this context. */
        Context item() {
            return switch (this) {
                case PLAIN -> PLAIN;
                case SECRET -> SECRET;
                case KEY_LIST, KEY_ITEM -> KEY_ITEM;
            };
        }
    }

    /** Which key names bear secrets. */
    private static final class SecretNames {
        private static final List<String> SECRET_WORDS = List.of("key", "apikey", "secret", "password", "passwd",
                "passphrase", "token", "access_key_id", "secret_access_key", "session_token", "private_key",
                "credentials", "credential", "authorization", "hash", "sig", "signature");
        private static final Pattern CAMEL_HUMP = Pattern.compile("([a-z0-9])([A-Z])");
        private static final Pattern NOT_ALPHANUMERIC = Pattern.compile("[^a-z0-9]+");

        static Context contextOf(String key) {
            String name = normalize(key);
            if (name.equals("keys") || name.endsWith("_keys")) {
                return Context.KEY_LIST;
            }
            if (name.equals("headers") || name.endsWith("_headers") || isSecret(name)) {
                return Context.SECRET;
            }
            return Context.PLAIN;
        }

        /** Whether the name (of a key, a query parameter or an assignment in text) says its value is secret. */
        static boolean isSecretName(String key) {
            return isSecret(normalize(key));
        }

        private static boolean isSecret(String name) {
            for (String word : SECRET_WORDS) {
                if (name.equals(word) || name.endsWith("_" + word)) {
                    return true;
                }
            }
            return false;
        }

        /** {@code X-Api-Key}, {@code "apiKey"} and {@code api.key} all become {@code api_key}. */
        private static String normalize(String key) {
            String split = CAMEL_HUMP.matcher(key).replaceAll("$1_$2").toLowerCase(Locale.ROOT);
            String name = NOT_ALPHANUMERIC.matcher(split).replaceAll("_");
            int from = name.startsWith("_") ? 1 : 0;
            int to = name.length() > from && name.endsWith("_") ? name.length() - 1 : name.length();
            return name.substring(from, to);
        }
    }

    /** Redaction of values known to be secret and of secrets found in free text. */
    private static final class Secrets {
        private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{env:" + SecretReferences.ENV_NAME_SYNTAX + "}");
        private static final Pattern FILE_REFERENCE = Pattern.compile("\\$\\{file:/[^}\\p{Cntrl}]*}");
        private static final Pattern HASH_VALUE = Pattern.compile("(?i)sha256:[0-9a-f]+");
        private static final Pattern HASH = Pattern.compile("(?i)(sha256:[0-9a-f]{8})[0-9a-f]+");
        private static final Pattern URL_PASSWORD =
                Pattern.compile("(?<![A-Za-z0-9+.\\-])([A-Za-z][A-Za-z0-9+.\\-]*://[^\\s/?#@:]*:)[^\\s/?#]*@");
        private static final Pattern ASSIGNMENT =
                Pattern.compile("(?<![A-Za-z0-9_.\\-/])([A-Za-z][A-Za-z0-9_.\\-]*)[ \\t]*[:=][ \\t]*");
        private static final Pattern AUTH_SCHEME = Pattern.compile("(?i)(?:bearer|basic|token)[ \\t]+");
        private static final Pattern BEARER =
                Pattern.compile("(?i)(?<![A-Za-z0-9])(bearer[ \\t]+)[A-Za-z0-9._~+/\\-]+=*");
        private static final Pattern KEY_PREFIX = Pattern.compile(
                "(?<![A-Za-z0-9_\\-])(?:sk|tg)-[A-Za-z0-9_\\-]{16,}|(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{12,}");
        private static final Pattern LONG_RUN = Pattern.compile("(?<![A-Za-z0-9+/=_\\-])[A-Za-z0-9+/=_\\-]{32,}");
        private static final Pattern PEM_BEGIN = Pattern.compile("-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*-----");
        private static final Pattern PEM_END = Pattern.compile("-----END [A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*-----");

        /**
         * What a scalar known to be secret shows: itself if it is a reference or a hash (shortened), else
         * {@value #REDACTED}. {@code raw} is the scalar as written, quotes included.
         */
        static String value(String raw) {
            String inner = unquoted(raw);
            if (isReference(inner)) {
                return raw;
            }
            if (HASH_VALUE.matcher(inner).matches()) {
                return HASH.matcher(raw).replaceAll("$1…");
            }
            return REDACTED;
        }

        /**
         * A reference names where the secret is, not the secret; but a key pasted into one by mistake must not
         * show, so a reference counts only if nothing in it looks like a key.
         */
        private static boolean isReference(String text) {
            return (ENV_REFERENCE.matcher(text).matches() || FILE_REFERENCE.matcher(text).matches())
                    && scrub(text).equals(text);
        }

        /** The content of a quoted scalar without escapes, or the text itself. */
        private static String unquoted(String raw) {
            if (raw.length() >= 2) {
                char q = raw.charAt(0);
                if ((q == '"' || q == '\'') && raw.charAt(raw.length() - 1) == q) {
                    String inner = raw.substring(1, raw.length() - 1);
                    boolean escapes = q == '"' ? inner.indexOf('\\') >= 0 : inner.indexOf('\'') >= 0;
                    return escapes ? raw : inner;
                }
            }
            return raw;
        }

        /** Free text (a key, a plain value, a comment) with everything in it that looks secret redacted. */
        static String scrub(String text) {
            String out = replace(URL_PASSWORD, text, m -> m.group(1) + REDACTED + "@");
            out = assignments(out);
            out = replace(BEARER, out, m -> m.group(1) + REDACTED);
            out = replace(HASH, out, m -> m.group(1) + "…");
            out = replace(KEY_PREFIX, out, m -> REDACTED);
            return replace(LONG_RUN, out, m -> looksRandom(m.group()) ? REDACTED : m.group());
        }

        /** {@code name: value} and {@code name=value} (query parameters too) where the name is secret-bearing. */
        private static String assignments(String text) {
            Matcher m = ASSIGNMENT.matcher(text);
            var out = new StringBuilder();
            int copied = 0;
            int from = 0;
            while (from < text.length() && m.find(from)) {
                from = m.end();
                if (!SecretNames.isSecretName(m.group(1))) {
                    // Not consumed: the value may itself be an assignment (foo=token=...).
                    continue;
                }
                int end = valueEnd(text, m.end());
                if (end > m.end()) {
                    out.append(text, copied, m.end()).append(value(text.substring(m.end(), end)));
                    copied = end;
                    from = end;
                }
            }
            return out.append(text, copied, text.length()).toString();
        }

        /** Where the value of an assignment starting at {@code from} ends. */
        private static int valueEnd(String text, int from) {
            if (from >= text.length()) {
                return from;
            }
            char c = text.charAt(from);
            if (c == '"' || c == '\'') {
                int close = text.indexOf(c, from + 1);
                return close < 0 ? text.length() : close + 1;
            }
            if (text.startsWith("${", from)) {
                int close = text.indexOf('}', from);
                return close < 0 ? text.length() : close + 1;
            }
            int at = from;
            Matcher scheme = AUTH_SCHEME.matcher(text).region(from, text.length());
            if (scheme.lookingAt()) {
                at = scheme.end();
            }
            while (at < text.length() && " \t,;'\"]}&".indexOf(text.charAt(at)) < 0) {
                at++;
            }
            return at;
        }

        /** Key material is hex, or base64 with all three kinds of characters; names and paths rarely are. */
        private static boolean looksRandom(String run) {
            boolean upper = false;
            boolean lower = false;
            boolean digit = false;
            boolean hex = true;
            for (int i = 0; i < run.length(); i++) {
                char c = run.charAt(i);
                upper |= c >= 'A' && c <= 'Z';
                lower |= c >= 'a' && c <= 'z';
                digit |= c >= '0' && c <= '9';
                hex &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            }
            return hex || (upper && lower && digit);
        }

        private static String replace(Pattern pattern, String text, Function<Matcher, String> with) {
            Matcher m = pattern.matcher(text);
            if (!m.find()) {
                return text;
            }
            var out = new StringBuilder(text.length());
            int copied = 0;
            do {
                out.append(text, copied, m.start()).append(with.apply(m));
                copied = m.end();
            } while (m.find());
            return out.append(text, copied, text.length()).toString();
        }
    }

    /** One block-context node that later, more indented lines belong to: a key, a sequence item, or the root. */
    private static final class Frame {
        final int indent;
        final boolean key;
        Context context;
        /** A key with nothing after its colon: its value may be a sequence written at the key's own indent. */
        boolean openValue;
        /** The node is a scalar written on its line; more indented lines continue that scalar. */
        boolean inlineScalar;

        Frame(int indent, boolean key, Context context) {
            this.indent = indent;
            this.key = key;
            this.context = context;
        }
    }

    /** A block scalar ({@code |} or {@code >}) being read: lines indented past {@code parentIndent} are its text. */
    private record BlockScalar(int parentIndent, boolean secret) {}

    /** One pass over the lines with a given set of secret anchors. */
    private static final class Redactor {
        final Set<String> secretAnchors;
        /** Aliases met where a secret is expected: their anchors must be secret. */
        final Set<String> secretAliases = new HashSet<>();
        final Set<String> anchors = new HashSet<>();

        private final Deque<Frame> stack = new ArrayDeque<>();
        private BlockScalar block;
        private Flow flow;
        /** The quote of a secret quoted scalar in block context that continues on the next line, or 0. */
        private char openQuote;
        private boolean inPrivateKey;

        Redactor(Set<String> secretAnchors) {
            this.secretAnchors = secretAnchors;
            stack.push(new Frame(-1, false, Context.PLAIN));
        }

        String run(List<Line> lines) {
            var out = new StringBuilder();
            for (Line line : lines) {
                var redacted = new StringBuilder();
                line(line.text(), redacted);
                out.append(privateKeys(line.text(), redacted.toString())).append(line.end());
            }
            return out.toString();
        }

        /** Redacts every line from a private key's BEGIN line to its END line, whatever the structure says. */
        private String privateKeys(String text, String redacted) {
            if (inPrivateKey) {
                inPrivateKey = !Secrets.PEM_END.matcher(text).find();
                return whole(redacted, true);
            }
            Matcher begin = Secrets.PEM_BEGIN.matcher(text);
            if (!begin.find()) {
                return redacted;
            }
            inPrivateKey = !Secrets.PEM_END.matcher(text).find(begin.end());
            Matcher shown = Secrets.PEM_BEGIN.matcher(redacted);
            return shown.find() ? redacted.substring(0, shown.start()) + REDACTED : redacted;
        }

        private void line(String s, StringBuilder out) {
            if (openQuote != 0) {
                int close = closingQuote(s, 0, openQuote);
                if (close < 0) {
                    out.append(whole(s, false));
                    return;
                }
                openQuote = 0;
                out.append(s, 0, indentOf(s)).append(REDACTED);
                trailer(s, close + 1, true, out);
                return;
            }
            if (flow != null) {
                int end = flow.scan(s, 0, out);
                if (flow.closed()) {
                    boolean secret = flow.base.secret();
                    flow = null;
                    trailer(s, end, secret, out);
                }
                return;
            }
            if (block != null) {
                int indent = indentOf(s);
                if (indent == s.length() || indent > block.parentIndent()) {
                    out.append(block.secret() ? whole(s, false) : s.substring(0, indent) + scrub(s.substring(indent)));
                    return;
                }
                block = null;
            }
            blockLine(s, out);
        }

        private void blockLine(String s, StringBuilder out) {
            int indent = indentOf(s);
            if (indent == s.length()) {
                out.append(s);
                return;
            }
            out.append(s, 0, indent);
            if (s.charAt(indent) == '#') {
                out.append(scrub(s.substring(indent)));
                return;
            }
            if (indent == 0 && (isMarker(s, "---") || isMarker(s, "..."))) {
                // A new document starts from the root.
                while (stack.size() > 1) {
                    stack.pop();
                }
                out.append(s, 0, 3).append(scrub(s.substring(3)));
                return;
            }
            if (indent == 0 && s.charAt(0) == '%') {
                out.append(scrub(s));
                return;
            }
            Frame parent = parentOf(indent, isIndicator(s, indent, '-'));
            if (parent.inlineScalar && parent.context.secret()) {
                out.append(REDACTED);
                return;
            }
            node(s, indent, parent.context, out);
        }

        /** Closes the nodes this line is not inside of and returns the one it is. */
        private Frame parentOf(int indent, boolean sequenceItem) {
            while (stack.size() > 1) {
                Frame top = stack.peek();
                boolean itemOfKey = top.indent == indent && sequenceItem && top.key && top.openValue;
                if (top.indent < indent || itemOfKey) {
                    break;
                }
                stack.pop();
            }
            return stack.peek();
        }

        /** A block node starting at {@code pos} in {@code context}: sequence items, then a key or a value. */
        private void node(String s, int pos, Context context, StringBuilder out) {
            Frame pushed = null;
            while (true) {
                if (isIndicator(s, pos, '-') || isIndicator(s, pos, '?')) {
                    // An explicit key (?) is treated like an item: its content is in the context around it.
                    context = s.charAt(pos) == '-' ? context.item() : context;
                    pushed = push(pos, false, context);
                    out.append(s.charAt(pos));
                    pos = copySpaces(s, pos + 1, out);
                    if (pos == s.length()) {
                        return;
                    }
                } else if (isIndicator(s, pos, ':')) {
                    // The value of an explicit key, which this line does not name: treated as secret.
                    pushed = push(pos, false, Context.SECRET);
                    out.append(':');
                    value(s, pos + 1, Context.SECRET, pushed, out);
                    return;
                } else {
                    break;
                }
            }
            int colon = keyColon(s, pos);
            if (colon < 0) {
                value(s, pos, context, pushed, out);
                return;
            }
            String key = s.substring(pos, colon);
            Context valueContext = context.entry(Secrets.unquoted(key.strip()));
            out.append(scrub(key)).append(':');
            value(s, colon + 1, valueContext, push(pos, true, valueContext), out);
        }

        private Frame push(int indent, boolean key, Context context) {
            var frame = new Frame(indent, key, context);
            stack.push(frame);
            return frame;
        }

        /**
         * The value after a key's colon, a sequence dash or at the start of a line: properties, then nothing, a
         * block scalar header, a flow collection, an alias or a scalar. {@code frame} is the node pushed on this
         * line, or null.
         */
        private void value(String s, int pos, Context context, Frame frame, StringBuilder out) {
            pos = copySpaces(s, pos, out);
            while (pos < s.length() && (s.charAt(pos) == '&' || s.charAt(pos) == '!')) {
                int end = tokenEnd(s, pos);
                if (s.charAt(pos) == '&') {
                    String anchor = s.substring(pos + 1, end);
                    anchors.add(anchor);
                    if (secretAnchors.contains(anchor)) {
                        context = Context.SECRET;
                    }
                }
                out.append(scrub(s.substring(pos, end)));
                pos = copySpaces(s, end, out);
            }
            if (frame != null) {
                frame.context = context;
            }
            if (pos == s.length() || isComment(s, pos)) {
                if (frame != null) {
                    frame.openValue = true;
                }
                out.append(scrub(s.substring(pos)));
                return;
            }
            char c = s.charAt(pos);
            int headerEnd = blockHeaderEnd(s, pos);
            if (headerEnd > 0) {
                block = new BlockScalar(stack.peek().indent, context.secret());
                out.append(s, pos, headerEnd);
                trailer(s, headerEnd, context.secret(), out);
            } else if (c == '[' || c == '{') {
                flow = new Flow(context);
                int end = flow.scan(s, pos, out);
                if (flow.closed()) {
                    flow = null;
                    trailer(s, end, context.secret(), out);
                }
            } else if (c == '*') {
                int end = tokenEnd(s, pos);
                alias(s.substring(pos + 1, end), context);
                out.append(scrub(s.substring(pos, end)));
                trailer(s, end, context.secret(), out);
            } else if (c == '"' || c == '\'') {
                markInlineScalar(frame);
                int close = closingQuote(s, pos + 1, c);
                if (close >= 0) {
                    String raw = s.substring(pos, close + 1);
                    out.append(context.secret() ? Secrets.value(raw) : scrub(raw));
                    trailer(s, close + 1, context.secret(), out);
                } else if (context.secret()) {
                    out.append(REDACTED);
                    openQuote = c;
                } else {
                    // Not followed across lines: a stray quote would otherwise hide the rest of the file's structure.
                    out.append(scrub(s.substring(pos)));
                }
            } else {
                markInlineScalar(frame);
                int end = plainEnd(s, pos);
                String raw = s.substring(pos, end).stripTrailing();
                out.append(context.secret() ? Secrets.value(raw) : scrub(raw));
                out.append(s, pos + raw.length(), end);
                out.append(scrub(s.substring(end)));
            }
        }

        private static void markInlineScalar(Frame frame) {
            if (frame != null) {
                frame.inlineScalar = true;
            }
        }

        /** What follows a complete value on its line: a comment, or stray text treated like the value. */
        private void trailer(String s, int pos, boolean secret, StringBuilder out) {
            pos = copySpaces(s, pos, out);
            if (pos == s.length()) {
                return;
            }
            if (isComment(s, pos)) {
                out.append(scrub(s.substring(pos)));
            } else {
                out.append(secret ? REDACTED : scrub(s.substring(pos)));
            }
        }

        private void alias(String name, Context context) {
            if (context.secret()) {
                secretAliases.add(name);
            }
        }

        /**
         * A flow collection ({@code [...]} or {@code {...}}), possibly over several lines. Each nesting level knows
         * its context and, after a {@code :}, the context of the value being read.
         */
        private final class Flow {
            final Context base;
            private final Deque<Level> levels = new ArrayDeque<>();
            /** The quote of a secret quoted scalar that continues on the next line, or 0. */
            private char openQuote;
            /** An anchor made the next node secret. */
            private boolean secretNode;
            /** The last token was a quoted scalar or a collection, after which {@code :} is always an indicator. */
            private boolean afterJsonNode;

            private static final class Level {
                final boolean mapping;
                final Context context;
                /** The context of the value being read, after a key's {@code :}; null before it. */
                Context value;
                /** The last key read, until its {@code :}. */
                String key;

                Level(boolean mapping, Context context) {
                    this.mapping = mapping;
                    this.context = context;
                }
            }

            Flow(Context base) {
                this.base = base;
            }

            boolean closed() {
                return levels.isEmpty();
            }

            /** Copies the line from {@code pos} redacted; returns where the outermost collection closed, or the end. */
            int scan(String s, int pos, StringBuilder out) {
                if (openQuote != 0) {
                    int close = closingQuote(s, pos, openQuote);
                    if (close < 0) {
                        out.append(whole(s.substring(pos), false));
                        return s.length();
                    }
                    openQuote = 0;
                    out.append(s, pos, indentOf(s)).append(REDACTED);
                    pos = close + 1;
                    afterJsonNode = true;
                }
                while (pos < s.length()) {
                    char c = s.charAt(pos);
                    if (isSpace(c)) {
                        out.append(c);
                        pos++;
                        continue;
                    }
                    if (isComment(s, pos)) {
                        out.append(scrub(s.substring(pos)));
                        return s.length();
                    }
                    boolean jsonBefore = afterJsonNode;
                    afterJsonNode = false;
                    switch (c) {
                        case '[', '{' -> {
                            levels.push(new Level(c == '{', nodeContext()));
                            out.append(c);
                            pos++;
                        }
                        case ']', '}' -> {
                            levels.pop();
                            out.append(c);
                            pos++;
                            if (levels.isEmpty()) {
                                return pos;
                            }
                            afterJsonNode = true;
                        }
                        case ',' -> {
                            Level level = levels.peek();
                            level.value = null;
                            level.key = null;
                            out.append(c);
                            pos++;
                        }
                        case '&', '!', '*' -> pos = property(s, pos, out);
                        case '"', '\'' -> pos = quoted(s, pos, c, out);
                        default -> {
                            if (c == ':' && (jsonBefore || isFlowIndicatorEnd(s, pos + 1))) {
                                Level level = levels.peek();
                                level.value = level.key == null ? Context.SECRET
                                        : (level.mapping ? level.context : level.context.item()).entry(level.key);
                                out.append(c);
                                pos++;
                            } else if (c == '?' && isFlowIndicatorEnd(s, pos + 1)) {
                                out.append(c);
                                pos++;
                            } else {
                                pos = plain(s, pos, out);
                            }
                        }
                    }
                }
                return pos;
            }

            /** The context of a node starting here. */
            private Context nodeContext() {
                Context context;
                Level level = levels.peek();
                if (level == null) {
                    context = base;
                } else if (level.value != null) {
                    context = level.value;
                } else if (level.mapping) {
                    // A scalar in a mapping without a key before it: secret if the mapping's values are.
                    context = level.context.secret() ? Context.SECRET : Context.PLAIN;
                } else {
                    context = level.context.item();
                }
                if (secretNode) {
                    secretNode = false;
                    return Context.SECRET;
                }
                return context;
            }

            private int property(String s, int pos, StringBuilder out) {
                int end = pos + 1;
                while (end < s.length() && !isSpace(s.charAt(end)) && ",[]{}".indexOf(s.charAt(end)) < 0) {
                    end++;
                }
                String name = s.substring(pos + 1, end);
                switch (s.charAt(pos)) {
                    case '&' -> {
                        anchors.add(name);
                        secretNode |= secretAnchors.contains(name);
                    }
                    case '*' -> {
                        alias(name, nodeContext());
                        afterJsonNode = true;
                    }
                    default -> { }
                }
                out.append(scrub(s.substring(pos, end)));
                return end;
            }

            private int quoted(String s, int pos, char quote, StringBuilder out) {
                int close = closingQuote(s, pos + 1, quote);
                if (close < 0) {
                    if (nodeContext().secret()) {
                        out.append(REDACTED);
                        openQuote = quote;
                    } else {
                        out.append(scrub(s.substring(pos)));
                    }
                    return s.length();
                }
                String raw = s.substring(pos, close + 1);
                int after = skipSpaces(s, close + 1);
                if (after < s.length() && s.charAt(after) == ':') {
                    levels.peek().key = Secrets.unquoted(raw);
                    out.append(scrub(raw));
                } else {
                    out.append(nodeContext().secret() ? Secrets.value(raw) : scrub(raw));
                }
                afterJsonNode = true;
                return close + 1;
            }

            private int plain(String s, int pos, StringBuilder out) {
                int end = pos;
                while (end < s.length()) {
                    char c = s.charAt(end);
                    if (",[]{}".indexOf(c) >= 0 || (c == ':' && isFlowIndicatorEnd(s, end + 1)) || isComment(s, end)) {
                        break;
                    }
                    end++;
                }
                String raw = s.substring(pos, end).stripTrailing();
                if (end < s.length() && s.charAt(end) == ':' && !raw.isEmpty()) {
                    levels.peek().key = raw;
                    out.append(scrub(raw));
                } else {
                    out.append(nodeContext().secret() ? Secrets.value(raw) : scrub(raw));
                }
                return pos + raw.length();
            }
        }
    }

    private static String scrub(String text) {
        return Secrets.scrub(text);
    }

    /** The line with all its content replaced, keeping the indentation and, if asked, a leading comment mark. */
    private static String whole(String s, boolean keepCommentMark) {
        int start = indentOf(s);
        if (start == s.length()) {
            return s;
        }
        if (keepCommentMark && s.charAt(start) == '#') {
            start = skipSpaces(s, start + 1);
        }
        return s.substring(0, start) + REDACTED;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\uFEFF';
    }

    private static int indentOf(String s) {
        return skipSpaces(s, 0);
    }

    private static int skipSpaces(String s, int pos) {
        while (pos < s.length() && isSpace(s.charAt(pos))) {
            pos++;
        }
        return pos;
    }

    private static int copySpaces(String s, int pos, StringBuilder out) {
        int end = skipSpaces(s, pos);
        out.append(s, pos, end);
        return end;
    }

    /** Whether {@code c} at {@code pos} is an indicator: followed by a space or the end of the line. */
    private static boolean isIndicator(String s, int pos, char c) {
        return pos < s.length() && s.charAt(pos) == c && (pos + 1 == s.length() || isSpace(s.charAt(pos + 1)));
    }

    /** Whether a {@code #} at {@code pos} starts a comment: at the start of the line or after a space. */
    private static boolean isComment(String s, int pos) {
        return s.charAt(pos) == '#' && (pos == 0 || isSpace(s.charAt(pos - 1)));
    }

    private static boolean isMarker(String s, String marker) {
        return s.startsWith(marker) && (s.length() == 3 || isSpace(s.charAt(3)));
    }

    /** Whether {@code pos} ends a flow {@code :} or {@code ?} indicator: a space, a flow indicator or the end. */
    private static boolean isFlowIndicatorEnd(String s, int pos) {
        return pos >= s.length() || isSpace(s.charAt(pos)) || ",[]{}".indexOf(s.charAt(pos)) >= 0;
    }

    /** The end of a token such as an anchor, tag or alias: the next space. */
    private static int tokenEnd(String s, int pos) {
        int end = pos;
        while (end < s.length() && !isSpace(s.charAt(end))) {
            end++;
        }
        return end;
    }

    /** Where a block plain scalar starting at {@code pos} ends: before a comment, or at the end of the line. */
    private static int plainEnd(String s, int pos) {
        for (int i = pos; i < s.length(); i++) {
            if (isComment(s, i)) {
                return i;
            }
        }
        return s.length();
    }

    /** The index of the colon of a block mapping key starting at {@code pos}, or -1 if the line has none. */
    private static int keyColon(String s, int pos) {
        if (pos >= s.length()) {
            return -1;
        }
        char c = s.charAt(pos);
        if (c == '"' || c == '\'') {
            int close = closingQuote(s, pos + 1, c);
            int after = close < 0 ? -1 : skipSpaces(s, close + 1);
            return after >= 0 && after < s.length() && s.charAt(after) == ':' ? after : -1;
        }
        if ("[]{}#&*!|>%@`,".indexOf(c) >= 0) {
            return -1;
        }
        for (int i = pos; i < s.length(); i++) {
            if (s.charAt(i) == ':' && (i + 1 == s.length() || isSpace(s.charAt(i + 1)))) {
                return i;
            }
            if (isComment(s, i)) {
                return -1;
            }
        }
        return -1;
    }

    /** The end of a block scalar header ({@code |}, {@code >-}, {@code |2+}...) at {@code pos}, or -1. */
    private static int blockHeaderEnd(String s, int pos) {
        char c = s.charAt(pos);
        if (c != '|' && c != '>') {
            return -1;
        }
        int end = pos + 1;
        while (end < s.length() && "0123456789+-".indexOf(s.charAt(end)) >= 0) {
            end++;
        }
        int next = skipSpaces(s, end);
        return next == s.length() || (next > end && s.charAt(next) == '#') ? end : -1;
    }

    /**
     * The index of the quote closing a scalar whose content starts at {@code pos}, or -1 if it does not close on
     * this line: {@code "} not escaped by a backslash, or {@code '} not doubled.
     */
    private static int closingQuote(String s, int pos, char quote) {
        for (int i = pos; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote == '"' && c == '\\') {
                i++;
            } else if (c == quote) {
                if (quote == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }
}
