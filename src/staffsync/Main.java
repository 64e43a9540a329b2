package staffsync;

import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import staffsync.auth.JwksStatus;
import staffsync.auth.ReadOnlySwitch;
import staffsync.auth.TokenVerifier;
import staffsync.config.AccessConfig;
import staffsync.config.Config;
import staffsync.config.ConfigException;
import staffsync.config.OpenFileLimits;
import staffsync.http.BoardPage;
import staffsync.http.HttpEndpoints;
import staffsync.http.ReadOnlyEndpoint;
import staffsync.hub.Hub;
import staffsync.hub.HubStatus;
import staffsync.hub.ReplyLimits;
import staffsync.metrics.Metrics;
import staffsync.store.StaffStore;
import staffsync.store.StoreHealth;
import staffsync.store.StoreStartException;
import staffsync.ws.SyncServer;
import staffsync.ws.TextFrames;

/**
 * Wires the parts together and nothing else:
 * config -> store -> hub thread -> HTTP edge -> WebSocket edge, and the reverse on SIGTERM.
 *
 * <p>{@code java -jar staff-sync.jar} runs the server; {@code java -jar staff-sync.jar healthcheck}
 * asks a running server's {@code /ready} and exits 0 or 1 (for container health checks).
 */
public final class Main {
    static {
        // Must happen before the first Logger exists: see KeepLoggingManager.
        System.setProperty("java.util.logging.manager", KeepLoggingManager.class.getName());
    }

    private static final Logger LOG = Logger.getLogger(Main.class.getName());
    static final int EXIT_BAD_CONFIG = 2;
    static final int EXIT_STARTUP_FAILED = 1;

    private Main() {}

    public static void main(String[] args) {
        boolean healthcheck = args.length > 0 && args[0].equals("healthcheck");
        Config config;
        try {
            config = Config.fromEnvironment();
        } catch (ConfigException e) {
            System.err.println("staff-sync: invalid configuration: " + e.getMessage());
            // Docker reserves health-check status 2; any failure there is plain "unhealthy".
            System.exit(healthcheck ? 1 : EXIT_BAD_CONFIG);
            return;
        }
        if (healthcheck) {
            System.exit(healthcheck(config));
        }
        Handler logHandler = LogSetup.install(Level.parse(config.logLevel()));
        FatalErrors fatal = new FatalErrors(logHandler);
        Thread.setDefaultUncaughtExceptionHandler(fatal);
        try {
            Running running = start(config, fatal);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running.stop(config.shutdownTimeoutMs());
                logHandler.flush();
                // SIGTERM would otherwise end the JVM with status 143; a clean drain is a clean exit.
                Runtime.getRuntime().halt(0);
            }, "shutdown"));
        } catch (ConfigException e) {
            logHandler.flush();
            System.err.println("staff-sync: invalid configuration: " + e.getMessage());
            System.exit(EXIT_BAD_CONFIG);
        } catch (PortUnavailable e) {
            logHandler.flush();
            System.err.println("staff-sync: " + e.getMessage());
            System.exit(EXIT_BAD_CONFIG);
        } catch (StoreStartException e) {
            // The store's message says what is wrong and where (a file, an offset, a lock): no trace needed.
            LOG.severe("staff-sync could not start: " + e.getMessage());
            logHandler.flush();
            System.exit(EXIT_STARTUP_FAILED);
        } catch (Exception e) {
            LOG.log(Level.SEVERE, "staff-sync could not start: " + e.getMessage(), e);
            logHandler.flush();
            System.exit(EXIT_STARTUP_FAILED);
        }
    }

    /** The started parts, in the order they must stop. */
    private record Running(SyncServer webSocket, Hub hub, HttpEndpoints http, StaffStore store) {
        void stop(long timeoutMs) {
            LOG.info("shutting down: draining store work, then closing clients with 1001");
            // Each step runs whatever the one before did: a step that throws must not leave the
            // store's files or the HTTP port unclosed behind it.
            boolean clean = step("the hub", () -> hub.shutdown(timeoutMs / 2))
                    & step("the WebSocket server", () -> webSocket.shutdown(timeoutMs / 2))
                    & step("the store", store::close)
                    & step("the HTTP server", http::stop);
            LOG.info(clean ? "stopped" : "stopped, after a failed step (logged above)");
        }

        private interface Step {
            void run() throws Exception;
        }

        /** Runs one step of the shutdown; false (and logged) if it failed. */
        private static boolean step(String what, Step step) {
            try {
                step.run();
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warning("shutting down: interrupted while stopping " + what);
                return false;
            } catch (Exception e) {
                LOG.log(Level.SEVERE, "shutting down: stopping " + what + " failed; stopping the rest", e);
                return false;
            }
        }
    }

    static Running start(Config config, FatalErrors fatal) throws Exception {
        String version = versionOf();
        long startedAt = System.currentTimeMillis();
        LOG.info("staff-sync " + version + " starting with " + config);
        LOG.info(config.storeDescription());
        // HotSpot has already raised the soft limit to the hard one (-XX:+MaxFDLimit, on by default on Linux).
        OpenFileLimits openFiles = OpenFileLimits.read();
        LOG.info("open files: " + openFiles + "; MAX_CONNECTIONS " + config.maxConnections()
                + ", MAX_CONNECTIONS_PER_IP " + (config.maxConnectionsPerIp() == 0 ? "off" : config.maxConnectionsPerIp())
                + ", HTTP_MAX_CONNECTIONS " + config.httpMaxConnections() + ", MAX_SOCKETS " + config.maxSockets());
        if (config.maxConnections() >= config.maxSockets()) {
            LOG.warning("MAX_CONNECTIONS " + config.maxConnections() + " is not below MAX_SOCKETS " + config.maxSockets()
                    + ": sockets in their handshake count against MAX_SOCKETS too, so at MAX_SOCKETS accepting pauses"
                    + " (new clients wait) before MAX_CONNECTIONS can answer 503");
        }
        if (openFiles.known() && openFiles.soft() < openFiles.hard()) {
            LOG.warning("the soft open-files limit is below the hard one (the JVM raises it unless run with"
                    + " -XX:-MaxFDLimit); MAX_CONNECTIONS follows the soft one");
        }
        Metrics metrics = new Metrics();
        TextFrames frames = new TextFrames();
        AccessConfig access = config.access();
        ReadOnlySwitch readOnly = new ReadOnlySwitch(access.readOnly());
        TokenVerifier verifier = access.authMode() == AccessConfig.AuthMode.JWT ? TokenVerifier.create(access, metrics) : null;
        warnAboutAccess(config, readOnly);
        if (verifier != null) {
            awaitFirstKeys(verifier, access.jwksTimeoutMs());
        }
        StaffStore store = StoreWiring.open(config, metrics);
        Hub hub = new Hub(store, config.storeThreads(), config.historySize(), config.dedupSize(), frames, metrics, version,
                config.maxRows(), config.maxWritesPerSecond(),
                new ReplyLimits(config.replyMemoryBytes(), config.maxPendingPerConnection()));
        Thread hubThread = new Thread(hub, "hub");
        hubThread.start();
        store.start(hub.storeListener());
        SyncServer webSocket = new SyncServer(config, hub, frames, metrics, verifier, readOnly);
        // A listener that stopped for good (its selector loop ended, or a closed one could not be
        // opened again on the port) never accepts again: a restart is the only cure.
        webSocket.whenListenerStops(why -> fatal.halt(why, null, FatalErrors.EXIT_SERVER_STOPPED));

        HttpEndpoints.Limits httpLimits = new HttpEndpoints.Limits(config.httpMaxConnections(),
                config.httpRequestTimeoutSeconds(), config.httpIdleTimeoutSeconds());
        BoardPage board = BoardPage.load();
        HttpEndpoints.Sources sources = new HttpEndpoints.Sources() {
            @Override
            public HubStatus hub() {
                return hub.status();
            }

            @Override
            public StoreHealth store() {
                return store.health();
            }

            @Override
            public Metrics metrics() {
                return metrics;
            }

            @Override
            public String version() {
                return version;
            }

            @Override
            public long startedAtMillis() {
                return startedAt;
            }

            @Override
            public String servingProblem() {
                long stalled = hub.stalledMillis();
                if (stalled >= config.hubStallTimeoutMs()) {
                    return "the hub has taken no event for " + stalled + " ms although events wait (HUB_STALL_TIMEOUT_MS "
                            + config.hubStallTimeoutMs() + ")";
                }
                return webSocket.acceptProblem();
            }

            @Override
            public boolean readOnly() {
                return readOnly.isOn();
            }

            @Override
            public String authMode() {
                return access.authMode().name().toLowerCase(java.util.Locale.ROOT);
            }

            @Override
            public JwksStatus jwks() {
                return verifier == null ? null : verifier.jwksStatus();
            }

            @Override
            public String authNotReadyReason() {
                return verifier == null ? null : verifier.notReadyReason();
            }

            @Override
            public String authWarning() {
                return verifier == null ? null : verifier.warning();
            }
        };
        HttpEndpoints http = listening("HTTP_PORT", config.host(), config.httpPort(),
                () -> new HttpEndpoints(config.host(), config.httpPort(), httpLimits, sources, board));
        if (!access.adminToken().isEmpty()) {
            ReadOnlyEndpoint.serveOn(http, readOnly, access.adminToken());
        }
        int httpPort = http.start();
        int wsPort = listening("PORT", config.host(), config.port(), webSocket::startAndAwait);
        board.webSocketPort(wsPort);
        LOG.info("bound ports websocket=" + wsPort + " http=" + httpPort + " (ws://" + config.host() + ":" + wsPort
                + SyncServer.PATH + ", http://" + config.host() + ":" + httpPort + "/health) store=" + store.kind());
        return new Running(webSocket, hub, http, store);
    }

    /**
     * Fetches the JWKS before the WebSocket port opens, so the first clients find the keys there
     * (a token whose key is missing would wait for a fetch). A JWKS that does not answer within
     * JWKS_TIMEOUT_MS delays nothing further: the server starts and /ready says why it cannot
     * check tokens.
     */
    private static void awaitFirstKeys(TokenVerifier verifier, long timeoutMs) throws InterruptedException {
        try {
            verifier.start().get(timeoutMs + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warning("starting without the JWKS: its first fetch has not finished");
        }
    }

    /** Says loudly when anyone who can reach the port may change every row, and when writes are off. */
    private static void warnAboutAccess(Config config, ReadOnlySwitch readOnly) {
        String exposed = config.access().exposureWarning(config.host(), config.port());
        if (exposed != null) {
            LOG.warning(exposed);
        }
        if (readOnly.isOn()) {
            LOG.warning("READ_ONLY=true: every STAFF_* change is refused with READ_ONLY until switched off");
        }
    }

    /**
     * A port that cannot be bound is the user's to fix in one variable: say which, in one line,
     * instead of a stack trace (issue 9: "port 8080 is in use; set PORT").
     */
    static final class PortUnavailable extends Exception {
        private static final long serialVersionUID = 1L;

        PortUnavailable(String variable, String host, int port, BindException cause) {
            super(String.valueOf(cause.getMessage()).contains("in use")
                    ? "port " + port + " is in use; set " + variable + " to a free port (0 picks any free one)"
                    : "cannot listen on " + host + ":" + port + " (" + cause.getMessage() + "); check HOST and "
                    + variable, null, false, false);
        }
    }

    private static <T> T listening(String variable, String host, int port, Callable<T> bind) throws Exception {
        try {
            return bind.call();
        } catch (BindException e) {
            throw new PortUnavailable(variable, host, port, e);
        }
    }

    private static int healthcheck(Config config) {
        String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://" + host + ":" + config.httpPort() + "/ready"))
                            .timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println(response.statusCode() + " " + response.body());
            return response.statusCode() == 200 ? 0 : 1;
        } catch (Exception e) {
            System.out.println("not ready: " + e);
            return 1;
        }
    }

    private static String versionOf() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }
}
