package dev.tollgate.config;

import dev.tollgate.core.runtime.HostPort;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Listen addresses as the config writes them: {@code host:port} with a host name or IPv4 address, or
 * {@code [ipv6]:port}. Port 0 asks the system for a free port. Nothing is resolved here: a host name is only
 * checked for shape, so validating a file never waits on DNS. Public so that command-line flags take the same
 * syntax as the file. Pure and thread-safe.
 */
public final class HostPortSyntax {
    /** The accepted forms, also the JSON Schema pattern for listen addresses. */
    static final String PATTERN =
            "^(\\[[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?\\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})$";
    static final String EXPECTED = "expected host:port such as 0.0.0.0:8080 or [::1]:8080";

    private static final Pattern ADDRESS = Pattern.compile(PATTERN);
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?");

    private HostPortSyntax() {}

    /**
     * The address.
     *
     * @throws IllegalArgumentException saying what is wrong, when {@code text} is not host:port or the port is out
     *     of 0..65535
     */
    public static HostPort parse(String text) {
        Matcher m = ADDRESS.matcher(text);
        if (!m.matches()) {
            if (text.indexOf(':') != text.lastIndexOf(':') && !text.startsWith("[")) {
                throw new IllegalArgumentException(
                        "an IPv6 address goes in brackets, as in [::1]:8080, got '" + text + "'");
            }
            throw new IllegalArgumentException(EXPECTED + ", got '" + text + "'");
        }
        String host = m.group(1);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
            if (host.indexOf(':') < 0) {
                throw new IllegalArgumentException("brackets are for IPv6 addresses, got '" + text + "'");
            }
        } else if (!validLabels(host)) {
            throw new IllegalArgumentException(EXPECTED + ", got '" + text + "'");
        }
        int port = Integer.parseInt(m.group(4));
        if (port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0..65535 in '" + text + "'");
        }
        return new HostPort(host, port);
    }

    private static boolean validLabels(String host) {
        for (String label : host.split("\\.", -1)) {
            if (label.length() > 63 || !LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return host.length() <= 253;
    }
}
