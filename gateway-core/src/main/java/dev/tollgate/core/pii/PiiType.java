package dev.tollgate.core.pii;

import java.util.Locale;

/**
 * What a finding is. The order is the tie-break when two detectors claim the same span: the more specific kind
 * (an API key) comes before the generic one it also looks like (a bearer token).
 */
public enum PiiType {
    PRIVATE_KEY,
    JWT,
    API_KEY,
    GOOGLE_API_KEY,
    AWS_ACCESS_KEY,
    GITHUB_TOKEN,
    /** The password of a URL's user info, or the value of a credential query parameter ({@code key=}, ...). */
    URL_CREDENTIAL,
    BEARER_TOKEN,
    CREDIT_CARD,
    IBAN,
    US_SSN,
    EMAIL,
    PHONE,
    IP_ADDRESS;

    private final String placeholder = "[" + name() + "]";

    /** The text a redaction puts in place of a finding of this type, e.g. {@code [EMAIL]}. */
    public String placeholder() {
        return placeholder;
    }

    /** The lower-case name used in config and logs, e.g. {@code credit_card}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this is a credential rather than personal data. */
    public boolean secret() {
        return ordinal() <= BEARER_TOKEN.ordinal();
    }
}
