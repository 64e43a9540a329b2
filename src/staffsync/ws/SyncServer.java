package staffsync.ws;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;
import staffsync.auth.ReadOnlySwitch;
import staffsync.auth.TokenVerifier;
import staffsync.config.AccessConfig;
import staffsync.config.Config;
import staffsync.hub.Hub;
import staffsync.hub.HubEvent;
import staffsync.hub.RateLimiter;
import staffsync.metrics.Metrics;
import staffsync.ws.library.HandshakeCheck;
import staffsync.ws.library.HandshakeRequest;
import staffsync.ws.library.LibraryServer;
import staffsync.ws.library.LibrarySocket;
import staffsync.ws.library.UpgradeRequestCheck;
import staffsync.ws.library.WebSocketPort;

/**
 * The WebSocket edge, serving {@value #PATH}: what happens when a connection opens, sends, and
 * closes. In the Go design these are the upgrade handler and each client's readPump; here the
 * library calls them on its worker threads ({@link LibrarySocket.Events}). They only parse,
 * answer cheaply or queue work for the hub; they never wait. Every byte to an open connection is
 * written by our {@link SocketWriter}s (the writePumps).
 *
 * <p>Java-WebSocket itself, and what it needs to be dependable, is behind
 * {@link staffsync.ws.library} (read it second).
 */
public final class SyncServer implements LibrarySocket.Events<ClientConnection> {
    public static final String PATH = "/staff-sync";
    private static final Logger LOG = Logger.getLogger(SyncServer.class.getName());

    private final Hub hub;
    private final Config config;
    private final Metrics metrics;
    private final MessageHandler handler;
    private final ProtocolErrorLog protocolErrors;
    private final AccessControl access;
    /** Null with AUTH_MODE=off. */
    private final TokenVerifier verifier;
    private final SocketWriter[] writers;
    /** REPLY_BYTES_PER_SECOND: one pace for every writer's large replies. */
    private final ReplyPace replyPace;
    private final AtomicLong connectionCounter = new AtomicLong();
    /** ws-timers: authentication deadlines and token expiries, and the library's own timers. */
    private final ScheduledExecutorService timers = timerThread();
    private final WebSocketPort<ClientConnection> library;

    /** Without authentication (AUTH_MODE=off): every connection may read and write. */
    public SyncServer(Config config, Hub hub, TextFrames frames, Metrics metrics) {
        this(config, hub, frames, metrics, null, new ReadOnlySwitch(config.access().readOnly()));
    }

    /**
     * @param verifier checks access tokens with AUTH_MODE=jwt; null with AUTH_MODE=off
     * @param readOnly the operator's switch turning every write off
     */
    public SyncServer(Config config, Hub hub, TextFrames frames, Metrics metrics, TokenVerifier verifier,
                      ReadOnlySwitch readOnly) {
        this.hub = hub;
        this.config = config;
        this.metrics = metrics;
        if ((verifier != null) != (config.access().authMode() == AccessConfig.AuthMode.JWT)) {
            throw new IllegalArgumentException("AUTH_MODE=jwt needs a token verifier, and only it");
        }
        this.verifier = verifier;
        this.access = new AccessControl(verifier, readOnly, timers, hub, frames, metrics, config.access().authTimeoutMs());
        this.protocolErrors = new ProtocolErrorLog(config.protocolErrorLogPerMinute(), LOG::info, metrics, System::nanoTime);
        this.handler = new MessageHandler(hub, frames, metrics, protocolErrors, access);
        this.replyPace = new ReplyPace(config.replyBytesPerSecond(), System::nanoTime);
        this.writers = new SocketWriter[config.writerThreads()];
        for (int i = 0; i < writers.length; i++) {
            writers[i] = new SocketWriter("ws-writer-" + i, replyPace);
        }
        LibraryServer.Settings settings = new LibraryServer.Settings(config.host(), config.port(),
                handshakeChecks(config, verifier, metrics), config.maxMessageBytes(), config.handshakeTimeoutMs(),
                config.socketSendBufferBytes(), config.pingIntervalSeconds());
        this.library = new WebSocketPort<>(settings, config.maxSockets(), this, metrics, timers);
    }

    /**
     * In order: is it an upgrade to our path, from an allowed origin (403), with a valid token if
     * it has one (401); the connection limit last (503): it takes a place that only a request
     * passing every other check may hold.
     */
    private static List<HandshakeCheck> handshakeChecks(Config config, TokenVerifier verifier, Metrics metrics) {
        List<HandshakeCheck> checks = new ArrayList<>(List.of(new UpgradeRequestCheck(PATH)));
        if (!config.access().allowedOrigins().isEmpty()) {
            checks.add(new OriginCheck(config.access(), metrics));
        }
        if (verifier != null) {
            checks.add(new AccessTokenCheck(verifier, metrics));
        }
        checks.add(new ConnectionLimit(config.maxConnections(), config.maxConnectionsPerIp()));
        return checks;
    }

    /** Starts the writers and the listener; returns the bound port. */
    public int startAndAwait() throws Exception {
        for (SocketWriter writer : writers) {
            writer.start();
        }
        int port = library.startAndAwait();
        timers.scheduleWithFixedDelay(this::dropStalledReaders, 1, 1, TimeUnit.SECONDS);
        return port;
    }

    /** On ws-timers, once a second: see {@link ClientConnection#dropIfReplyStalled}. */
    private void dropStalledReaders() {
        long now = System.nanoTime();
        library.forEachConnection(connection -> connection.dropIfReplyStalled(now, config.replyStallTimeoutSeconds()));
    }

    /** Refuses new connections, closes every client with 1001 after its queued data, stops. */
    public void shutdown(long timeoutMs) throws InterruptedException {
        library.shutdown(timeoutMs);
        timers.shutdownNow();
        for (SocketWriter writer : writers) {
            writer.stop();
        }
    }

    @Override
    public ClientConnection newConnection(LibrarySocket socket) {
        long number = connectionCounter.incrementAndGet();
        InboundLimits limits = new InboundLimits(
                new RateLimiter(config.rateLimitPerSecond(), config.rateLimitBurst(), System::nanoTime),
                config.maxPendingPerConnection());
        return new ClientConnection("conn-" + number, socket, writers[(int) (number % writers.length)],
                config.outboundLimitBytes(), limits, metrics, replyPace);
    }

    @Override
    public void opened(ClientConnection client, HandshakeRequest request) {
        metrics.connectionOpened();
        String handshakeToken = verifier == null ? null : AccessTokenCheck.tokenOf(request);
        if (handshakeToken == null) {
            access.opened(client);
        } else {
            // Verified by AccessTokenCheck a moment ago: found again in the verifier's memory.
            access.opened(client, verifier.verify(handshakeToken));
        }
    }

    @Override
    public void text(ClientConnection client, String message) {
        handler.onText(client, message);
    }

    @Override
    public void binary(ClientConnection client) {
        handler.onBinary(client);
    }

    /**
     * 1002, 1007 and 1009 are only ever the client's fault (a bad frame, found by the library or
     * by the library package's frame guard; invalid UTF-8; a message over the bound), so this one
     * place logs them all, sparingly (LibraryLogFilter drops the library's own lines for them).
     */
    @Override
    public void closing(ClientConnection client, int code, String reason) {
        ProtocolErrorLog.Kind kind = ProtocolErrorLog.Kind.ofCloseCode(code);
        if (kind != null) {
            protocolErrors.report(client.describe(), client.protocolErrorsLogged, kind,
                    reason + " (closed with " + code + ")");
        }
    }

    @Override
    public void closed(ClientConnection client, int code, String reason) {
        access.closed(client);
        hub.submit(new HubEvent.Unregister(client));
        LOG.fine(() -> client.connectionId() + " closed: " + code + " " + reason);
    }

    /** Why the listener is not accepting connections now (for /ready); null while it is. */
    public String acceptProblem() {
        return library.acceptProblem();
    }

    /** What to do when the listener stops outside a shutdown (Main ends the process; the default only logs). */
    public void whenListenerStops(Consumer<String> action) {
        library.whenListenerStops(action);
    }

    /** The library's connections, for tests that reach into their sockets. */
    List<org.java_websocket.WebSocket> libraryConnections() {
        return library.connections();
    }

    /** One thread; cancelled tasks leave its queue at once (every connection's token expiry is one). */
    private static ScheduledExecutorService timerThread() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, task -> daemon(task, "ws-timers"));
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
