package dev.tollgate.config;

import dev.tollgate.core.runtime.Secret;
import dev.tollgate.core.spi.Header;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * A {@code headers} mapping of a config section (a provider's, the trace exporter's): valid header names, none the
 * gateway sets itself, none twice in any case, and string values that may be secret references. No message
 * quotes a value, since it may be a secret.
 */
final class HeaderEntries {
    private HeaderEntries() {}

    /**
     * @param owned why the section's user may not set a header (by its lower-case name), or null when they may
     */
    static List<Header> read(MappingReader section, SecretReferences secrets, UnaryOperator<String> owned,
                             Diagnostics problems) {
        var headers = new ArrayList<Header>();
        var seen = new HashMap<String, String>();
        for (YamlNode.Entry entry : section.entries("headers")) {
            String path = Origin.keyPath(section.path("headers"), entry.key());
            String name = entry.key();
            String lower = name.toLowerCase(Locale.ROOT);
            try {
                ProvidersSection.headerName(name);
            } catch (IllegalArgumentException e) {
                problems.error(entry.origin(path), e.getMessage());
                continue;
            }
            String why = owned.apply(lower);
            if (why != null) {
                problems.error(entry.origin(path), "header " + name + " " + why);
                continue;
            }
            String earlier = seen.putIfAbsent(lower, name);
            if (earlier != null) {
                problems.error(entry.origin(path),
                        "header " + name + " repeats " + earlier + " (header names ignore case)");
                continue;
            }
            if (!(entry.value() instanceof YamlNode.Scalar scalar) || scalar.kind() == YamlNode.Kind.NULL) {
                problems.error(entry.value().origin(path), "expected a string, got " + entry.value().kindName());
                continue;
            }
            Secret secret = secrets.resolve(scalar.text(), entry.value().origin(path), problems);
            if (secret != null) {
                headers.add(new Header(name, secret.reveal()));
            }
        }
        return headers;
    }
}
