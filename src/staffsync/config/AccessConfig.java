package staffsync.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who may connect and who may write (PROTOCOL.md "Authentication", "Origins", "Read-only
 * switch"), read from environment variables with the rest of {@link Config}.
 *
 * @param jwtSecret      {@code SUPABASE_JWT_SECRET} for HS256 tokens, or "" when unset
 * @param jwksUrl        where the ES256/RS256 keys are published, or null when there is none
 * @param jwtIssuer      the {@code iss} tokens must carry, or null (no SUPABASE_URL: not checked)
 * @param tokenCacheSize verified tokens remembered (by digest, until their exp); 0 remembers none
 * @param allowedOrigins the exact origins a browser may connect from; empty means any ({@code *})
 * @param adminToken     {@code ADMIN_TOKEN} for {@code PUT /admin/read-only}, or "" (no endpoint)
 */
public record AccessConfig(
        AuthMode authMode,
        String jwtSecret,
        URI jwksUrl,
        String jwtAudience,
        String jwtIssuer,
        String editorClaim,
        long authTimeoutMs,
        long jwksTimeoutMs,
        int tokenCacheSize,
        List<String> allowedOrigins,
        boolean readOnly,
        String adminToken) {

    public enum AuthMode { OFF, JWT }

    /** HS256 keys should be at least as long as the hash: 256 bits. */
    static final int MIN_SECRET_CHARS = 32;
    static final int MIN_ADMIN_TOKEN_CHARS = 16;

    public AccessConfig {
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    static AccessConfig from(EnvReader in, String supabaseUrl) throws ConfigException {
        AuthMode mode = in.choice("AUTH_MODE", AuthMode.class, AuthMode.OFF);
        String secret = in.text("SUPABASE_JWT_SECRET", "");
        if (!secret.isEmpty() && secret.length() < MIN_SECRET_CHARS) {
            throw new ConfigException("SUPABASE_JWT_SECRET must be at least " + MIN_SECRET_CHARS
                    + " characters (Supabase's is; copy it from Project Settings > API > JWT Settings)");
        }
        String base = supabaseUrl.endsWith("/") ? supabaseUrl.substring(0, supabaseUrl.length() - 1) : supabaseUrl;
        String jwks = in.text("JWKS_URL", base.isEmpty() ? "" : base + "/auth/v1/.well-known/jwks.json");
        URI jwksUrl = jwks.isEmpty() ? null : httpUrl("JWKS_URL", jwks);
        if (mode == AuthMode.JWT && secret.isEmpty() && jwksUrl == null) {
            throw new ConfigException("AUTH_MODE=jwt needs keys to check tokens with: SUPABASE_JWT_SECRET (HS256), "
                    + "or SUPABASE_URL or JWKS_URL (the project's JWKS: ES256, RS256), or both");
        }
        String adminToken = in.text("ADMIN_TOKEN", "");
        if (!adminToken.isEmpty() && adminToken.length() < MIN_ADMIN_TOKEN_CHARS) {
            throw new ConfigException("ADMIN_TOKEN must be at least " + MIN_ADMIN_TOKEN_CHARS + " characters");
        }
        String editorClaim = in.text("EDITOR_CLAIM", "app_metadata.staff_sync_role");
        if (editorClaim.startsWith(".") || editorClaim.endsWith(".") || editorClaim.contains("..")) {
            throw new ConfigException("EDITOR_CLAIM must be a claim name or a dotted path such as "
                    + "app_metadata.staff_sync_role, got '" + editorClaim + "'");
        }
        return new AccessConfig(
                mode,
                secret,
                jwksUrl,
                in.text("JWT_AUDIENCE", "authenticated"),
                base.isEmpty() ? null : base + "/auth/v1",
                editorClaim,
                in.integer("AUTH_TIMEOUT_MS", 10_000, 100, 3_600_000),
                in.integer("JWKS_TIMEOUT_MS", 5_000, 100, 600_000),
                (int) in.integer("TOKEN_CACHE_SIZE", 10_000, 0, 10_000_000),
                origins(in.text("ALLOWED_ORIGINS", "*")),
                in.bool("READ_ONLY", false),
                adminToken);
    }

    private static URI httpUrl(String name, String value) throws ConfigException {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new ConfigException(name + " must be an http(s) URL, got '" + value + "'");
    }

    /** "*" (any), or a comma-separated list of exact origins such as https://app.example.com. */
    private static List<String> origins(String value) throws ConfigException {
        if (value.equals("*")) {
            return List.of();
        }
        List<String> origins = new ArrayList<>();
        for (String part : value.split(",")) {
            String origin = part.strip();
            if (origin.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = new URI(origin);
            } catch (java.net.URISyntaxException e) {
                uri = null;
            }
            if (origin.equals("*") || uri == null || uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()) || uri.getRawQuery() != null) {
                throw new ConfigException("ALLOWED_ORIGINS must be * or a comma-separated list of origins such as "
                        + "https://app.example.com (scheme, host, optional port; no path), got '" + origin + "'");
            }
            origins.add(origin);
        }
        if (origins.isEmpty()) {
            throw new ConfigException("ALLOWED_ORIGINS lists no origin; use * to allow any");
        }
        return origins;
    }

    /** True when the origin may open a WebSocket (no Origin header: a non-browser client, allowed). */
    public boolean allowsOrigin(String origin) {
        return origin == null || allowedOrigins.isEmpty() || allowedOrigins.contains(origin);
    }

    /**
     * The warning to log at start when anyone on the network may change every row: AUTH_MODE=off
     * on an address other than loopback. Null when there is nothing to warn about.
     */
    public String exposureWarning(String host, int port) {
        if (authMode != AuthMode.OFF || isLoopback(host)) {
            return null;
        }
        return "AUTH_MODE=off while listening on " + host + ": anyone who can reach port " + port
                + " can read and change every staff row. Set AUTH_MODE=jwt (docs/auth.md), or HOST=127.0.0.1 "
                + "behind a proxy that authenticates";
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Never the secret or the admin token: this is what logs may show. */
    @Override
    public String toString() {
        return "authMode=" + authMode.name().toLowerCase(Locale.ROOT)
                + ", supabaseJwtSecret=" + (jwtSecret.isEmpty() ? "(unset)" : "(set)")
                + ", jwksUrl=" + (jwksUrl == null ? "(none)" : jwksUrl)
                + ", allowedOrigins=" + (allowedOrigins.isEmpty() ? "*" : String.join(",", allowedOrigins))
                + ", readOnly=" + readOnly
                + ", adminToken=" + (adminToken.isEmpty() ? "(unset)" : "(set)");
    }
}
