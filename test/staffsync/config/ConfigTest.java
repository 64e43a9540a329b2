package staffsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void everySettingHasADefault() throws Exception {
        Config config = Config.from(Map.of());
        assertEquals("0.0.0.0", config.host());
        assertEquals(8080, config.port());
        assertEquals(8081, config.httpPort());
        assertEquals(65_536, config.maxMessageBytes());
        assertEquals(4L * 1024 * 1024, config.outboundLimitBytes());
        assertEquals(10_000, config.historySize());
        assertEquals(10_000, config.handshakeTimeoutMs());
        assertEquals(30, config.pingIntervalSeconds());
        assertEquals("staff_members", config.supabaseTable());
    }

    @Test
    void aPortThatIsNotANumberNamesTheVariableAndTheValue() {
        ConfigException error = assertThrows(ConfigException.class, () -> Config.from(Map.of("PORT", "abc")));
        assertTrue(error.getMessage().contains("PORT") && error.getMessage().contains("abc"), error.getMessage());
    }

    @Test
    void aNegativeSizeIsRefused() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> Config.from(Map.of("HISTORY_SIZE", "-1")));
        assertTrue(error.getMessage().startsWith("HISTORY_SIZE"));
    }

    @Test
    void anUnknownStoreKindListsTheChoices() {
        ConfigException error = assertThrows(ConfigException.class, () -> Config.from(Map.of("STORE", "redis")));
        assertTrue(error.getMessage().contains("memory"), error.getMessage());
    }

    @Test
    void settingSupabaseUrlSelectsTheSupabaseStore() throws Exception {
        Config config = Config.from(Map.of("SUPABASE_URL", "https://x.supabase.co", "SUPABASE_SERVICE_KEY", "k"));
        assertEquals(Config.StoreKind.SUPABASE, config.store());
    }

    @Test
    void theSupabaseStoreNeedsItsKey() {
        assertThrows(ConfigException.class, () -> Config.from(Map.of("STORE", "supabase", "SUPABASE_URL", "https://x")));
    }

    @Test
    void theKeyNeverAppearsInTheConfigurationText() throws Exception {
        Config config = Config.from(Map.of("SUPABASE_URL", "https://x", "SUPABASE_SERVICE_KEY", "sb_secret_abc123"));
        assertTrue(!config.toString().contains("sb_secret_abc123"));
    }

    // ---- access control ----

    @Test
    void accessControlIsOffByDefault() throws Exception {
        AccessConfig access = Config.from(Map.of()).access();
        assertEquals(AccessConfig.AuthMode.OFF, access.authMode());
        assertEquals("authenticated", access.jwtAudience());
        assertEquals("app_metadata.staff_sync_role", access.editorClaim());
        assertEquals(10_000, access.authTimeoutMs());
        assertTrue(access.allowedOrigins().isEmpty(), "* allows every origin");
        assertTrue(!access.readOnly() && access.adminToken().isEmpty());
    }

    @Test
    void theJwksUrlAndIssuerFollowSupabaseUrl() throws Exception {
        AccessConfig access = Config.from(Map.of("SUPABASE_URL", "https://abcd.supabase.co/", "SUPABASE_SERVICE_KEY", "k",
                "AUTH_MODE", "jwt")).access();
        assertEquals("https://abcd.supabase.co/auth/v1/.well-known/jwks.json", access.jwksUrl().toString());
        assertEquals("https://abcd.supabase.co/auth/v1", access.jwtIssuer());
    }

    @Test
    void jwtModeNeedsAKeyToCheckTokensWith() {
        ConfigException error = assertThrows(ConfigException.class, () -> Config.from(Map.of("AUTH_MODE", "jwt")));
        assertTrue(error.getMessage().contains("SUPABASE_JWT_SECRET") && error.getMessage().contains("JWKS_URL"),
                error.getMessage());
    }

    @Test
    void aShortSecretOrAdminTokenIsRefused() {
        assertThrows(ConfigException.class, () -> Config.from(Map.of("SUPABASE_JWT_SECRET", "short")));
        assertThrows(ConfigException.class, () -> Config.from(Map.of("ADMIN_TOKEN", "short")));
    }

    @Test
    void allowedOriginsAreExactOriginsWithoutAPath() throws Exception {
        AccessConfig access = Config.from(Map.of("ALLOWED_ORIGINS", "https://app.example.com, http://localhost:3000")).access();
        assertTrue(access.allowsOrigin("https://app.example.com"));
        assertTrue(access.allowsOrigin("http://localhost:3000"));
        assertTrue(access.allowsOrigin(null), "no Origin header: a non-browser client");
        assertTrue(!access.allowsOrigin("https://evil.example.com") && !access.allowsOrigin("https://app.example.com:443"));
        ConfigException error = assertThrows(ConfigException.class,
                () -> Config.from(Map.of("ALLOWED_ORIGINS", "https://app.example.com/")));
        assertTrue(error.getMessage().startsWith("ALLOWED_ORIGINS"), error.getMessage());
    }

    @Test
    void readOnlyIsTrueOrFalse() throws Exception {
        assertTrue(Config.from(Map.of("READ_ONLY", "TRUE")).access().readOnly());
        ConfigException error = assertThrows(ConfigException.class, () -> Config.from(Map.of("READ_ONLY", "yes")));
        assertTrue(error.getMessage().contains("READ_ONLY"), error.getMessage());
    }

    @Test
    void secretsNeverAppearInTheConfigurationText() throws Exception {
        String secret = "a-jwt-secret-of-at-least-32-characters!";
        String admin = "an-admin-token-0123456789";
        String text = Config.from(Map.of("SUPABASE_JWT_SECRET", secret, "ADMIN_TOKEN", admin, "AUTH_MODE", "jwt")).toString();
        assertTrue(!text.contains(secret) && !text.contains(admin), text);
    }

    @Test
    void authModeOffWarnsWhenListeningBeyondLoopback() throws Exception {
        AccessConfig off = Config.from(Map.of()).access();
        String warning = off.exposureWarning("0.0.0.0", 8080);
        assertTrue(warning != null && warning.contains("AUTH_MODE=off") && warning.contains("8080"), warning);
        assertTrue(off.exposureWarning("10.1.2.3", 8080) != null);
        assertTrue(off.exposureWarning("127.0.0.1", 8080) == null && off.exposureWarning("::1", 8080) == null);
        AccessConfig jwt = Config.from(Map.of("AUTH_MODE", "jwt", "SUPABASE_JWT_SECRET", "a-jwt-secret-of-at-least-32-characters!"))
                .access();
        assertTrue(jwt.exposureWarning("0.0.0.0", 8080) == null);
    }
}
