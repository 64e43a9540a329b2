package staffsync.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import staffsync.redis.RedisUrl;

/**
 * Every setting of the server, read once from environment variables at start. Each has a
 * default; the README lists them all. A record, so a test can build one directly.
 */
public record Config(
        String host,
        int port,
        int httpPort,
        int maxMessageBytes,
        long outboundLimitBytes,
        int socketSendBufferBytes,
        int writerThreads,
        int historySize,
        int dedupSize,
        long handshakeTimeoutMs,
        int pingIntervalSeconds,
        double rateLimitPerSecond,
        int rateLimitBurst,
        int maxPendingPerConnection,
        int storeThreads,
        long shutdownTimeoutMs,
        StoreKind store,
        Path dataDir,
        long logCompactBytes,
        String supabaseUrl,
        String supabaseServiceKey,
        String supabaseTable,
        long supabaseTimeoutMs,
        long supabasePollMs,
        String logLevel,
        // Why {@code store} was chosen, for the startup log (a setting's source, not a setting).
        String storeReason,
        // Client protocol errors: at most this many log lines per minute (0: none; all are counted).
        int protocolErrorLogPerMinute,
        // Limits that keep the server serving with real data sizes and hostile clients (issue 10)
        int maxRows,
        double maxWritesPerSecond,
        long hubStallTimeoutMs,
        int maxConnections,
        int maxConnectionsPerIp,
        int httpMaxConnections,
        int httpRequestTimeoutSeconds,
        int httpIdleTimeoutSeconds,
        // ---- access control (issue 11): AUTH_MODE and tokens, ALLOWED_ORIGINS, READ_ONLY, ADMIN_TOKEN ----
        AccessConfig access,
        // Replies of any size (issue 10): memory large snapshots and replays may hold while written.
        long replyMemoryBytes,
        // Several instances sharing one table through Redis (docs/cluster.md); empty: one instance.
        String redisUrl,
        long redisTimeoutMs,
        long redisRetryTtlMs,
        // A client that stops reading in the middle of a large reply loses it (and its turn) after this (issue 10).
        int replyStallTimeoutSeconds,
        // Descriptors (issue 10): sockets the WebSocket port holds at once, in their handshake or open.
        int maxSockets,
        // How fast all large replies together are written, bytes/s (0: as fast as the sockets take them):
        // a sync storm is paced so that everyone else's events find a free core (issue 10).
        long replyBytesPerSecond) {

    public enum StoreKind { MEMORY, FILE, SUPABASE }

    /** Reads the process environment. */
    public static Config fromEnvironment() throws ConfigException {
        return from(System.getenv());
    }

    /** Reads the given variables; anything missing takes its default. */
    public static Config from(Map<String, String> env) throws ConfigException {
        return from(env, OpenFileLimits.read());
    }

    /** As {@link #from(Map)}, with the process's descriptor limits (MAX_CONNECTIONS's default follows them). */
    public static Config from(Map<String, String> env, OpenFileLimits openFiles) throws ConfigException {
        EnvReader in = new EnvReader(env);
        String supabaseUrl = in.text("SUPABASE_URL", "");
        String supabaseKey = in.text("SUPABASE_SERVICE_KEY", "");
        String storeSetting = in.text("STORE", null);
        StoreKind store = in.choice("STORE", StoreKind.class, supabaseUrl.isEmpty() ? StoreKind.FILE : StoreKind.SUPABASE);
        String storeReason = storeSetting != null ? "STORE=" + storeSetting
                : supabaseUrl.isEmpty() ? "the default while SUPABASE_URL is not set" : "SUPABASE_URL is set";
        if (store == StoreKind.SUPABASE) {
            if (supabaseUrl.isEmpty()) {
                throw new ConfigException("STORE=supabase needs SUPABASE_URL, the project URL (like https://abcd.supabase.co)");
            }
            SupabaseUrl parsed = SupabaseUrl.parse(supabaseUrl);
            supabaseUrl = parsed.url();
            if (parsed.dropped() != null) {
                storeReason += "; its " + parsed.dropped() + " was dropped, the server adds it";
            }
            if (supabaseKey.isEmpty()) {
                throw new ConfigException((storeSetting != null ? "STORE=supabase" : "SUPABASE_URL is set, so the Supabase store is used, but")
                        + " SUPABASE_SERVICE_KEY is not set: set it to the project's secret key (Project Settings -> API Keys)"
                        + (storeSetting != null ? "" : ", or unset SUPABASE_URL to keep the data in DATA_DIR"));
            }
        } else if (storeSetting == null && !supabaseKey.isEmpty()) {
            throw new ConfigException("SUPABASE_SERVICE_KEY is set but SUPABASE_URL is not: set SUPABASE_URL to the project URL "
                    + "(like https://abcd.supabase.co) to use Supabase, or unset SUPABASE_SERVICE_KEY to keep the data in DATA_DIR");
        }
        Path dataDir = Path.of(in.text("DATA_DIR", "./data"));
        if (store == StoreKind.FILE && Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new ConfigException("DATA_DIR " + dataDir + " is a file, not a directory: point DATA_DIR at a directory "
                    + "(it is created when missing)");
        }
        String redisUrl = in.text("REDIS_URL", "");
        if (!redisUrl.isEmpty()) {
            if (store != StoreKind.SUPABASE) {
                throw new ConfigException("REDIS_URL (several instances) needs STORE=supabase, not "
                        + store.name().toLowerCase(java.util.Locale.ROOT) + ": the file store is one machine's disk and"
                        + " the memory store one process's memory");
            }
            try {
                RedisUrl.parse(redisUrl);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage()); // the message never quotes the URL (it may hold a password)
            }
        }
        int httpMaxConnections = (int) in.integer("HTTP_MAX_CONNECTIONS", 128, 2, 100_000);
        int maxSockets = (int) in.integer("MAX_SOCKETS", defaultMaxSockets(openFiles, httpMaxConnections), 1,
                Integer.MAX_VALUE);
        return new Config(
                in.text("HOST", "0.0.0.0"),
                in.port("PORT", 8080),
                in.port("HTTP_PORT", 8081),
                (int) in.integer("MAX_MESSAGE_BYTES", 65_536, 1_024, Integer.MAX_VALUE),
                in.integer("OUTBOUND_LIMIT_BYTES", 4L * 1024 * 1024, 1_024, Long.MAX_VALUE),
                (int) in.integer("SOCKET_SEND_BUFFER_BYTES", 0, 0, 64L * 1024 * 1024),
                (int) in.integer("WRITER_THREADS", Runtime.getRuntime().availableProcessors(), 1, 256),
                (int) in.integer("HISTORY_SIZE", 10_000, 0, 100_000_000),
                (int) in.integer("DEDUP_SIZE", 10_000, 0, 100_000_000),
                in.integer("HANDSHAKE_TIMEOUT_MS", 10_000, 100, Long.MAX_VALUE),
                (int) in.integer("PING_INTERVAL_SECONDS", 30, 1, 86_400),
                in.decimal("RATE_LIMIT_PER_SECOND", 1_000, 0.001),
                (int) in.integer("RATE_LIMIT_BURST", 2_000, 1, Integer.MAX_VALUE),
                (int) in.integer("MAX_PENDING_PER_CONNECTION", 1_000, 1, Integer.MAX_VALUE),
                (int) in.integer("STORE_THREADS", 16, 1, 1_024),
                in.integer("SHUTDOWN_TIMEOUT_MS", 4_000, 0, 600_000),
                store,
                dataDir,
                in.integer("LOG_COMPACT_BYTES", 64L * 1024 * 1024, 4_096, Long.MAX_VALUE),
                supabaseUrl,
                supabaseKey,
                in.text("SUPABASE_TABLE", "staff_members"),
                in.integer("SUPABASE_TIMEOUT_MS", 5_000, 1, 600_000),
                in.integer("SUPABASE_POLL_MS", 5_000, 10, 86_400_000),
                in.choice("LOG_LEVEL", LogLevel.class, LogLevel.INFO).name(),
                storeReason,
                (int) in.integer("PROTOCOL_ERROR_LOG_PER_MINUTE", 60, 0, 1_000_000),
                (int) in.integer("MAX_ROWS", 100_000, 0, Integer.MAX_VALUE),
                in.decimal("MAX_WRITES_PER_SECOND", DEFAULT_MAX_WRITES_PER_SECOND, 0.001),
                in.integer("HUB_STALL_TIMEOUT_MS", 5_000, 100, 3_600_000),
                (int) in.integer("MAX_CONNECTIONS", defaultMaxConnections(openFiles, httpMaxConnections), 1,
                        Integer.MAX_VALUE),
                (int) in.integer("MAX_CONNECTIONS_PER_IP", 0, 0, Integer.MAX_VALUE),
                httpMaxConnections,
                (int) in.integer("HTTP_REQUEST_TIMEOUT_SECONDS", 10, 1, 3_600),
                (int) in.integer("HTTP_IDLE_TIMEOUT_SECONDS", 30, 1, 3_600),
                AccessConfig.from(in, supabaseUrl),
                in.integer("REPLY_MEMORY_BYTES", 32L * 1024 * 1024, 1024L * 1024, Long.MAX_VALUE),
                redisUrl,
                in.integer("REDIS_TIMEOUT_MS", 2_000, 10, 600_000),
                in.integer("REDIS_RETRY_TTL_MS", 600_000, 1_000, 30L * 24 * 3600 * 1000),
                (int) in.integer("REPLY_STALL_TIMEOUT_SECONDS", 30, 1, 86_400),
                maxSockets,
                in.integer("REPLY_BYTES_PER_SECOND", 256L * 1024 * 1024, 0, Long.MAX_VALUE));
    }

    /** One line for the startup log: which store keeps the data, where, and why that one. */
    public String storeDescription() {
        return switch (store) {
            case FILE -> "store file: a durable log in " + dataDir.toAbsolutePath().normalize() + " (" + storeReason
                    + (storeReason.startsWith("the default") ? "; set SUPABASE_URL and SUPABASE_SERVICE_KEY to use Supabase)" : ")");
            case SUPABASE -> "store supabase: table " + supabaseTable + " at " + supabaseUrl + " (" + storeReason + ")"
                    + (redisUrl.isEmpty() ? "" : ", shared with other instances through " + RedisUrl.parse(redisUrl));
            case MEMORY -> "store memory: every change is forgotten at exit (" + storeReason + ")";
        };
    }

    /**
     * About half of one writer's fsync rate on the reference machine's disk (2,326 fsynced writes/s
     * with one writer, docs/durable-store.md): the file store keeps up even if no two writes share
     * an fsync. Far above what people editing a staff list produce.
     */
    static final double DEFAULT_MAX_WRITES_PER_SECOND = 1_000;
    /** MAX_CONNECTIONS when the descriptor limit cannot be read (not Linux). */
    static final int MAX_CONNECTIONS_WITHOUT_LIMIT = 10_000;
    /** Descriptors kept for everything but WebSocket sockets: the JVM, the store, the log, selectors. */
    static final int DESCRIPTORS_FOR_THE_REST = 64;

    /**
     * Below the open-files limit, leaving room: 10% of it for sockets still in their handshake (they
     * hold a descriptor before the limit can refuse them), HTTP_MAX_CONNECTIONS for the HTTP port, and
     * {@value #DESCRIPTORS_FOR_THE_REST} for the JVM, the store and the log. That is MAX_SOCKETS's
     * default less the 10%.
     */
    static long defaultMaxConnections(OpenFileLimits openFiles, int httpMaxConnections) {
        if (openFiles.soft() <= 0) {
            return MAX_CONNECTIONS_WITHOUT_LIMIT;
        }
        long room = socketRoom(openFiles, httpMaxConnections) - openFiles.soft() / 10;
        return Math.max(1, Math.min(Integer.MAX_VALUE, room));
    }

    /**
     * Every socket the WebSocket port may hold, handshaking or open: the open-files limit less
     * HTTP_MAX_CONNECTIONS and {@value #DESCRIPTORS_FOR_THE_REST}, so that sockets alone never take
     * the descriptors the rest of the process needs (a JVM with the file store uses about 30 at
     * idle, the accept guard's reserve included). Where the limit cannot be read,
     * MAX_CONNECTIONS's default and 10% for handshakes.
     */
    static long defaultMaxSockets(OpenFileLimits openFiles, int httpMaxConnections) {
        if (openFiles.soft() <= 0) {
            return MAX_CONNECTIONS_WITHOUT_LIMIT + MAX_CONNECTIONS_WITHOUT_LIMIT / 10;
        }
        return Math.max(2, Math.min(Integer.MAX_VALUE, socketRoom(openFiles, httpMaxConnections)));
    }

    private static long socketRoom(OpenFileLimits openFiles, int httpMaxConnections) {
        return openFiles.soft() - httpMaxConnections - DESCRIPTORS_FOR_THE_REST;
    }

    /** The levels LOG_LEVEL accepts (java.util.logging names). */
    enum LogLevel { SEVERE, WARNING, INFO, FINE, FINER, FINEST, ALL, OFF }

    /** Never print the key: this is what logs and /health may show of the configuration. */
    @Override
    public String toString() {
        return "Config[host=" + host + ", port=" + port + ", httpPort=" + httpPort + ", store=" + store
                + ", dataDir=" + dataDir + ", supabaseUrl=" + supabaseUrl + ", supabaseTable=" + supabaseTable
                + ", supabaseServiceKey=" + (supabaseServiceKey.isEmpty() ? "(unset)" : "(set)") + ", " + access
                + ", redisUrl=" + (redisUrl.isEmpty() ? "(unset)" : RedisUrl.parse(redisUrl)) + "]";
    }
}
