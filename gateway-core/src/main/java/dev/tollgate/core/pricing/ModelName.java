package dev.tollgate.core.pricing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An upstream model name reduced to the spellings a price table lists, most exact first: {@code models/} prefixes,
 * Vertex {@code @version} suffixes, Bedrock profile prefixes and version suffixes, {@code -latest} and dated
 * snapshots ({@code -2024-08-06}, {@code -20241022}) come off. Only whole, known affixes are removed, so a name never
 * shortens into another model's name ({@code gpt-4o-mini} stays itself; {@code claude-sonnet-4-5} never becomes
 * {@code claude-sonnet-4}). Plain string checks, no regular expressions: this runs on the request path.
 *
 * @param candidates the table keys to try, most exact first; never empty
 */
record ModelName(Host host, List<String> candidates) {
    private static final String GEMINI_PREFIX = "models/";
    private static final String LATEST = "-latest";
    /** Bedrock's cross-region inference profile prefixes; only {@code global.} is priced apart. */
    private static final Set<String> BEDROCK_PROFILES = Set.of("us", "eu", "apac", "us-gov", "jp", "au", "ca", "global");
    private static final Set<String> BEDROCK_VENDORS =
            Set.of("anthropic", "meta", "amazon", "mistral", "cohere", "ai21", "deepseek", "openai", "qwen", "writer");

    ModelName {
        candidates = List.copyOf(candidates);
    }

    static ModelName parse(String upstreamModel) {
        String name = upstreamModel.strip().toLowerCase(Locale.ROOT);
        if (name.startsWith(GEMINI_PREFIX)) {
            name = name.substring(GEMINI_PREFIX.length());
        }
        int at = name.indexOf('@');
        if (at >= 0) {
            return new ModelName(Host.VERTEX, variants(name.substring(0, at)));
        }
        ModelName bedrock = bedrock(name);
        return bedrock != null ? bedrock : new ModelName(Host.ANY, variants(name));
    }

    /**
     * A Bedrock id ({@code [profile.]vendor.model[-vN][:N]}), or null when the name is not one. Anthropic's models
     * are priced under their own names, so their ids are reduced to those; other vendors' ids are kept whole
     * (without the profile), because their version suffixes are part of the name ({@code titan-embed-text-v2:0}).
     */
    private static ModelName bedrock(String name) {
        int dot = name.indexOf('.');
        if (dot < 0) {
            return null;
        }
        Host host = Host.BEDROCK;
        String id = name;
        String first = name.substring(0, dot);
        if (BEDROCK_PROFILES.contains(first)) {
            host = first.equals("global") ? Host.BEDROCK_GLOBAL : Host.BEDROCK;
            id = name.substring(dot + 1);
            dot = id.indexOf('.');
            if (dot < 0) {
                return null;
            }
            first = id.substring(0, dot);
        }
        if (!BEDROCK_VENDORS.contains(first)) {
            return null;
        }
        if (first.equals("anthropic")) {
            return new ModelName(host, variants(withoutBedrockVersion(id.substring(dot + 1))));
        }
        return new ModelName(host, List.of(id));
    }

    /** {@code claude-3-5-sonnet-20241022-v2:0} -> {@code claude-3-5-sonnet-20241022}. */
    private static String withoutBedrockVersion(String model) {
        String name = model;
        int colon = name.lastIndexOf(':');
        if (colon > 0 && allDigits(name, colon + 1, name.length())) {
            name = name.substring(0, colon);
        }
        int v = name.lastIndexOf("-v");
        if (v > 0 && allDigits(name, v + 2, name.length())) {
            name = name.substring(0, v);
        }
        return name;
    }

    /** The name, then without {@code -latest}, then without a trailing date; each distinct. */
    private static List<String> variants(String name) {
        var out = new ArrayList<String>(3);
        out.add(name);
        String base = name.endsWith(LATEST) ? name.substring(0, name.length() - LATEST.length()) : name;
        base = withoutDate(base);
        if (!base.equals(name) && !base.isEmpty()) {
            out.add(base);
        }
        return out;
    }

    /** Strips {@code -YYYYMMDD} or {@code -YYYY-MM-DD}; other digit suffixes ({@code -0613}, {@code -2411}) stay. */
    private static String withoutDate(String name) {
        int n = name.length();
        if (n > 9 && name.charAt(n - 9) == '-' && isYear(name, n - 8) && allDigits(name, n - 4, n)) {
            return name.substring(0, n - 9);
        }
        if (n > 11 && name.charAt(n - 11) == '-' && isYear(name, n - 10) && name.charAt(n - 6) == '-'
                && allDigits(name, n - 5, n - 3) && name.charAt(n - 3) == '-' && allDigits(name, n - 2, n)) {
            return name.substring(0, n - 11);
        }
        return name;
    }

    private static boolean isYear(String s, int from) {
        return s.startsWith("20", from) && allDigits(s, from + 2, from + 4);
    }

    private static boolean allDigits(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
