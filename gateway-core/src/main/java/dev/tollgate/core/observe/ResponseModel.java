package dev.tollgate.core.observe;

/**
 * The model that answered a request, as the summary records it and metrics label it. The provider names it (a
 * dated snapshot such as {@code gpt-4o-2024-08-06} for {@code gpt-4o}), so its name is worth a label, but it is
 * also text from outside the gateway: only a short name of plain characters is taken, anything else is replaced
 * by the upstream model name the config gave the deployment, so a misbehaving provider cannot put arbitrary text
 * in a label. (How many names a provider may bring is bounded where they become labels.)
 */
public final class ResponseModel {
    /** Longer names are not model names. */
    static final int MAX_CHARS = 100;

    private ResponseModel() {}

    /**
     * @param reported the model the provider's answer names, or null when it names none (or was not read)
     * @param configured the deployment's upstream model name, from config
     * @return {@code reported} when it is a plausible model name, else {@code configured}
     */
    public static String of(String reported, String configured) {
        return plausible(reported) ? reported : configured;
    }

    /** 1 to {@link #MAX_CHARS} characters of {@code [A-Za-z0-9._:/-]}. */
    static boolean plausible(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_CHARS) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '/' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
