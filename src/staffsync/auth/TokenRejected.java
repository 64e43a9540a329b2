package staffsync.auth;

import java.util.Locale;

/**
 * A token that cannot be accepted. The message says why in words a client author can act on
 * and never quotes the token or any part of it; {@link #reason} is the label /metrics counts.
 */
public final class TokenRejected extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why, in the few buckets /metrics counts by. */
    public enum Reason {
        MALFORMED, TOO_LARGE, ALGORITHM, UNKNOWN_KEY, SIGNATURE, EXPIRED, CLAIMS,
        /** Not the token's fault: the check itself failed (a bug). */
        ERROR;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public TokenRejected(Reason reason, String message) {
        super(message, null, false, false); // expected outcome: no stack trace needed
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
