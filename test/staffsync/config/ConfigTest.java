package staffsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertEquals(60, config.protocolErrorLogPerMinute());
    }

    @Test
    void theLimitsAgainstHostileClientsHaveDefaults() throws Exception {
        Config config = Config.from(Map.of(), new OpenFileLimits(20_000, 20_000));
        assertEquals(100_000, config.maxRows());
        assertEquals(1_000, config.maxWritesPerSecond());
        assertEquals(5_000, config.hubStallTimeoutMs());
        assertEquals(0, config.maxConnectionsPerIp(), "off");
        assertEquals(128, config.httpMaxConnections());
        assertEquals(10, config.httpRequestTimeoutSeconds());
        assertEquals(30, config.httpIdleTimeoutSeconds());
    }

    @Test
    void maxConnectionsDefaultsBelowTheOpenFilesLimitLeavingRoomForEverythingElse() throws Exception {
        // 10% for sockets still in their handshake, HTTP_MAX_CONNECTIONS, 64 for the JVM, store and log.
        assertEquals(20_000 - 2_000 - 128 - 64, Config.from(Map.of(), new OpenFileLimits(20_000, 20_000)).maxConnections());
        assertEquals(1_024 - 102 - 16 - 64, Config.from(Map.of("HTTP_MAX_CONNECTIONS", "16"),
                new OpenFileLimits(1_024, 4_096)).maxConnections());
        assertEquals(10_000, Config.from(Map.of(), new OpenFileLimits(-1, -1)).maxConnections(), "limit unknown");
        assertEquals(50, Config.from(Map.of("MAX_CONNECTIONS", "50"), new OpenFileLimits(20_000, 20_000)).maxConnections());
    }

    @Test
    void maxSocketsDefaultsToTheOpenFilesLimitLessTheHttpPortAndTheRestOfTheProcess() throws Exception {
        // MAX_CONNECTIONS's default plus its 10% for handshakes: HTTP_MAX_CONNECTIONS and 64 stay free.
        assertEquals(20_000 - 128 - 64, Config.from(Map.of(), new OpenFileLimits(20_000, 20_000)).maxSockets());
        assertEquals(256 - 128 - 64, Config.from(Map.of(), new OpenFileLimits(256, 256)).maxSockets());
        assertEquals(11_000, Config.from(Map.of(), new OpenFileLimits(-1, -1)).maxSockets(), "limit unknown");
        assertEquals(Integer.MAX_VALUE, Config.from(Map.of(), new OpenFileLimits(Long.MAX_VALUE, Long.MAX_VALUE))
                .maxSockets(), "unlimited");
        assertEquals(Integer.MAX_VALUE, Config.from(Map.of(), new OpenFileLimits(Long.MAX_VALUE, Long.MAX_VALUE))
                .maxConnections(), "unlimited");
        assertEquals(300, Config.from(Map.of("MAX_SOCKETS", "300"), new OpenFileLimits(256, 256)).maxSockets());
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

    @Test
    void redisUrlNeedsTheSupabaseStore() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> Config.from(Map.of("STORE", "file", "REDIS_URL", "redis://localhost:6379/0")));
        assertTrue(error.getMessage().startsWith("REDIS_URL") && error.getMessage().contains("STORE=supabase"),
                error.getMessage());
    }

    @Test
    void aBadRedisUrlIsRefusedWithoutQuotingIt() {
        ConfigException error = assertThrows(ConfigException.class, () -> Config.from(Map.of("SUPABASE_URL", "https://x",
                "SUPABASE_SERVICE_KEY", "k", "REDIS_URL", "http://:hunter2@localhost")));
        assertTrue(error.getMessage().startsWith("REDIS_URL") && !error.getMessage().contains("hunter2"),
                error.getMessage());
    }

    @Test
    void theRedisPasswordNeverAppearsInTheConfigurationText() throws Exception {
        Config config = Config.from(Map.of("SUPABASE_URL", "https://x", "SUPABASE_SERVICE_KEY", "k",
                "REDIS_URL", "redis://app:hunter2@redis:6379/0"));
        assertEquals("redis://app:hunter2@redis:6379/0", config.redisUrl());
        assertTrue(config.toString().contains("redis://app:***@redis:6379/0"), config.toString());
        assertTrue(!config.toString().contains("hunter2"));
    }

    @Test
    void aSupabaseUrlWithoutAKeyNamesTheMissingKeyAndNotStore() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> Config.from(Map.of("SUPABASE_URL", "https://abcd.supabase.co")));
        assertTrue(error.getMessage().contains("SUPABASE_SERVICE_KEY is not set"), error.getMessage());
        assertFalse(error.getMessage().contains("STORE"), "the user never set STORE: " + error.getMessage());
    }

    @Test
    void aKeyWithoutASupabaseUrlNamesTheMissingUrl() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> Config.from(Map.of("SUPABASE_SERVICE_KEY", "sb_secret_abc")));
        assertTrue(error.getMessage().startsWith("SUPABASE_SERVICE_KEY is set but SUPABASE_URL is not"), error.getMessage());
    }

    @Test
    void aSupabaseUrlWithoutASchemeIsRefusedWithAnExample() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> Config.from(Map.of("SUPABASE_URL", "abcd.supabase.co", "SUPABASE_SERVICE_KEY", "k")));
        assertTrue(error.getMessage().contains("SUPABASE_URL must start with https://"), error.getMessage());
        assertTrue(error.getMessage().contains("'abcd.supabase.co'"), error.getMessage());
    }

    @Test
    void aSupabaseUrlEndingInRestV1IsCutToTheProjectUrlAndTheLogSaysSo() throws Exception {
        Config config = Config.from(Map.of("SUPABASE_URL", "https://abcd.supabase.co/rest/v1/", "SUPABASE_SERVICE_KEY", "k"));
        assertEquals("https://abcd.supabase.co", config.supabaseUrl());
        assertTrue(config.storeDescription().contains("/rest/v1 was dropped"), config.storeDescription());
    }

    @Test
    void aDataDirThatIsAFileIsRefused(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("data"));
        ConfigException error = assertThrows(ConfigException.class, () -> Config.from(Map.of("DATA_DIR", file.toString())));
        assertTrue(error.getMessage().contains("is a file, not a directory"), error.getMessage());
    }

    @Test
    void theStoreDescriptionSaysTheFileStoreIsTheDefaultWithoutSupabaseUrl() throws Exception {
        String description = Config.from(Map.of()).storeDescription();
        assertTrue(description.startsWith("store file: a durable log in "), description);
        assertTrue(description.contains("the default while SUPABASE_URL is not set"), description);
    }

    @Test
    void theStoreDescriptionNamesWhatChoseSupabaseOrMemory() throws Exception {
        assertTrue(Config.from(Map.of("SUPABASE_URL", "https://abcd.supabase.co", "SUPABASE_SERVICE_KEY", "k"))
                .storeDescription().endsWith("(SUPABASE_URL is set)"));
        assertTrue(Config.from(Map.of("STORE", "memory")).storeDescription().endsWith("(STORE=memory)"));
    }
}
