package dev.tollgate.config;

import dev.tollgate.core.access.Team;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Binds the {@code teams} section: groups of keys with shared limits, a shared budget and labels. Whether the keys'
 * {@code team} references exist is left to {@link ConfigValidator}.
 */
final class TeamsSection {
    static final Set<String> KEYS = Set.of("limits", "budget", "metadata", GuardrailsSection.ATTACH);
    /**
     * Team and key names: they are counter keys ({@code team:support}), metric labels and report rows, so no
     * spaces, colons or slashes.
     */
    static final String NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$";
    static final int MAX_NAME_LENGTH = 64;

    private static final Pattern NAME = Pattern.compile(NAME_PATTERN);

    private TeamsSection() {}

    static Map<String, Team> bind(List<YamlNode.Entry> entries, String path, Diagnostics problems) {
        var teams = new LinkedHashMap<String, Team>();
        for (YamlNode.Entry entry : entries) {
            String teamPath = Origin.keyPath(path, entry.key());
            checkName(entry.origin(teamPath), "team", entry.key(), problems);
            MappingReader t = MappingReader.of(entry.value(), teamPath, KEYS, problems);
            teams.put(entry.key(), new Team(entry.key(),
                    QuotaSection.limits(t.child("limits", QuotaSection.LIMIT_KEYS)),
                    QuotaSection.budget(t, "budget", problems),
                    t.labels("metadata")));
        }
        return teams;
    }

    /** Records a problem when {@code name} is no valid team or key name; {@code what} says which. */
    static void checkName(Origin at, String what, String name, Diagnostics problems) {
        if (name.length() > MAX_NAME_LENGTH) {
            problems.error(at, "a " + what + " name is at most " + MAX_NAME_LENGTH + " characters");
        } else if (!NAME.matcher(name).matches()) {
            problems.error(at, what + " name '" + name + "' must start with a letter or digit and use only letters, "
                    + "digits, '.', '_' and '-'");
        }
    }
}
