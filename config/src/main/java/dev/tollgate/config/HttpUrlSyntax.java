package dev.tollgate.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The URLs a config may name for the gateway to call (provider base URLs, the alert webhook): absolute http or
 * https, with a host and a port in range, without user info or a fragment. Messages never repeat the URL: its user
 * info or query could hold a credential.
 */
final class HttpUrlSyntax {
    private HttpUrlSyntax() {}

    /**
     * @param example a URL of the right kind, shown when the text is not one
     * @param credentialsGoIn where a credential belongs instead of the URL's user info
     * @throws IllegalArgumentException with the reason, worded for a config problem
     */
    static URI parse(String text, String example, String credentialsGoIn) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URL: " + e.getReason() + " at index " + e.getIndex(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.isOpaque() || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new IllegalArgumentException("expected an absolute http or https URL, such as " + example);
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("must not contain user info; put " + credentialsGoIn);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("has no valid host name");
        }
        if (uri.getPort() > 65535) {
            throw new IllegalArgumentException("port " + uri.getPort() + " is out of range 0..65535");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("must not have a fragment (#...)");
        }
        return uri;
    }
}
