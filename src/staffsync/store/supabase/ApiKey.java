package staffsync.store.supabase;

import java.net.http.HttpRequest;

/**
 * The Supabase key and the one rule for sending it. Supabase has two kinds of server key:
 * <ul>
 *   <li>a legacy {@code service_role} JWT (three dot-separated parts): sent as {@code apikey}
 *       and as {@code Authorization: Bearer}, because PostgREST takes the role from the JWT;</li>
 *   <li>a secret key ({@code sb_secret_...}): sent as {@code apikey} only. The gateway turns it
 *       into a service-role JWT itself; sent as a Bearer token it is not a JWT and PostgREST
 *       answers 401 PGRST301.</li>
 * </ul>
 * Immutable. The key text never leaves this class except into those two headers:
 * {@link #toString} names only the kind, and {@link #redact} scrubs it out of any text.
 */
public final class ApiKey {

    public enum Kind {
        LEGACY_JWT("legacy JWT key"),
        SECRET("secret key");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    private static final String SECRET_PREFIX = "sb_secret_";
    private static final String REDACTED = "[redacted key]";

    private final String value;
    private final Kind kind;

    private ApiKey(String value, Kind kind) {
        this.value = value;
        this.kind = kind;
    }

    /**
     * @throws IllegalArgumentException naming the problem, never the key, when the text is
     *         neither kind (a publishable key, for example, cannot write behind row level security)
     */
    public static ApiKey parse(String text) {
        String key = text == null ? "" : text.strip();
        if (key.startsWith(SECRET_PREFIX) && key.length() > SECRET_PREFIX.length()) {
            return new ApiKey(key, Kind.SECRET);
        }
        if (looksLikeJwt(key)) {
            return new ApiKey(key, Kind.LEGACY_JWT);
        }
        if (key.startsWith("sb_publishable_")) {
            throw new IllegalArgumentException("SUPABASE_SERVICE_KEY is a publishable key; the server needs the"
                    + " secret key (sb_secret_...) or the legacy service_role key");
        }
        throw new IllegalArgumentException("SUPABASE_SERVICE_KEY is neither a secret key (sb_secret_...) nor a"
                + " legacy JWT key (three dot-separated parts)");
    }

    private static boolean looksLikeJwt(String key) {
        String[] parts = key.split("\\.", -1);
        if (parts.length != 3) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || !part.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    public Kind kind() {
        return kind;
    }

    /** Adds the authentication headers this kind of key needs, and no others. */
    public HttpRequest.Builder authenticate(HttpRequest.Builder request) {
        request.header("apikey", value);
        if (kind == Kind.LEGACY_JWT) {
            request.header("Authorization", "Bearer " + value);
        }
        return request;
    }

    /** The text with every occurrence of the key replaced: for anything that may be logged or shown. */
    public String redact(String text) {
        return text == null ? null : text.replace(value, REDACTED);
    }

    @Override
    public String toString() {
        return "ApiKey[" + kind + "]";
    }
}
