package staffsync.ws;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import staffsync.auth.ReadOnlySwitch;
import staffsync.auth.TokenVerifier;
import staffsync.config.AccessConfig;
import staffsync.config.Config;
import staffsync.hub.Hub;
import staffsync.hub.HubEvent;
import staffsync.metrics.Metrics;

/**
 * The WebSocket edge, serving {@value #PATH}. Threads: Java-WebSocket's selector (accepts and
 * reads) and workers (handshakes, decoding, our callbacks), our {@link SocketWriter}s (every
 * byte written to an open connection), and ws-timers (reaping handshakes, hard closes, the
 * {@link WriteDemandRepair} sweep, authentication deadlines and token expiries). The callbacks
 * only parse, answer cheaply or queue work for the hub; they never wait.
 */
public final class SyncServer extends WebSocketServer {
    public static final String PATH = "/staff-sync";
    private static final Logger LOG = Logger.getLogger(SyncServer.class.getName());
    /** How long a dropped client has to read its close frame before its socket is cut. */
    private static final int CLOSE_GRACE_SECONDS = 5;
    /** Pending (not yet accepted) connections the listening socket may hold. */
    static final int ACCEPT_BACKLOG = 4096;

    private final Hub hub;
    private final Config config;
    private final Metrics metrics;
    private final MessageHandler handler;
    private final ProtocolErrorLog protocolErrors;
    private final AccessControl access;
    /** Null with AUTH_MODE=off. */
    private final TokenVerifier verifier;
    private final HandshakeReaper reaper;
    final WriteDemandRepair writeRepair;
    private final SocketWriter[] writers;
    private final AtomicLong connectionCounter = new AtomicLong();
    private final CountDownLatch started = new CountDownLatch(1);
    private final ScheduledExecutorService timers = timerThread();
    private final AcceptGuard acceptGuard = new AcceptGuard(timers);
    private final ConnectionLimit connectionLimit;
    private volatile boolean shuttingDown;
    /**
     * False once the library's selector loop has ended (written by the selector thread) or the
     * listening socket was found closed (by ws-timers).
     */
    private volatile boolean listenerRunning = true;
    private volatile Consumer<String> listenerStopped = why -> { };
    private volatile Exception startFailure;

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
        super(new InetSocketAddress(config.host(), config.port()),
                Math.max(2, Runtime.getRuntime().availableProcessors()),
                List.<Draft>of(new StaffSyncDraft(config.maxMessageBytes())));
        this.hub = hub;
        this.config = config;
        this.metrics = metrics;
        if ((verifier != null) != (config.access().authMode() == AccessConfig.AuthMode.JWT)) {
            throw new IllegalArgumentException("AUTH_MODE=jwt needs a token verifier, and only it");
        }
        this.verifier = verifier;
        this.access = new AccessControl(verifier, readOnly, timers, hub, frames, metrics, config.access().authTimeoutMs());
        this.protocolErrors = new ProtocolErrorLog(config.protocolErrorLogPerMinute(), LOG::info, metrics, System::nanoTime);
        this.handler = new MessageHandler(hub, frames, metrics, config.maxPendingPerConnection(), protocolErrors, access);
        this.connectionLimit = new ConnectionLimit(config.maxConnections(), config.maxConnectionsPerIp());
        InboundRules rules = new InboundRules(handshakeChecks(config, verifier, metrics, connectionLimit),
                config.maxMessageBytes(), this::closeLater);
        this.reaper = new HandshakeReaper(config.handshakeTimeoutMs(), config.socketSendBufferBytes(), metrics, rules);
        this.writeRepair = new WriteDemandRepair(this::getConnections, this::onWriteDemand, metrics);
        this.writers = new SocketWriter[config.writerThreads()];
        for (int i = 0; i < writers.length; i++) {
            writers[i] = new SocketWriter("ws-writer-" + i);
        }
        setWebSocketFactory(reaper);
        setReuseAddr(true);
        setTcpNoDelay(true);
        // The library's default accept backlog is the JDK's 50: a burst of connects (a deploy, a
        // network blip reconnecting everyone) overflows it, and the kernel drops SYNs the clients
        // then retry only after 1, 3, 7 s. Ask for more; the kernel caps it at net.core.somaxconn.
        setMaxPendingConnections(ACCEPT_BACKLOG);
        setConnectionLostTimeout(config.pingIntervalSeconds());
    }

    /**
     * In order: is it an upgrade to our path, from an allowed origin (403), with a valid token if
     * it has one (401); the connection limit last (503): it takes a place that only a request
     * passing every other check may hold.
     */
    private static List<HandshakeCheck> handshakeChecks(Config config, TokenVerifier verifier, Metrics metrics,
                                                        ConnectionLimit connectionLimit) {
        List<HandshakeCheck> checks = new ArrayList<>(List.of(new UpgradeRequestCheck(PATH)));
        if (!config.access().allowedOrigins().isEmpty()) {
            checks.add(new OriginCheck(config.access(), metrics));
        }
        if (verifier != null) {
            checks.add(new AccessTokenCheck(verifier, metrics));
        }
        checks.add(connectionLimit);
        return checks;
    }

    /** Starts the selector thread and waits until the port is bound; returns the bound port. */
    public int startAndAwait() throws Exception {
        for (SocketWriter writer : writers) {
            writer.start();
        }
        acceptGuard.start();
        start();
        if (!started.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the WebSocket server did not start within 10 s");
        }
        if (startFailure != null) {
            throw startFailure;
        }
        long period = Math.max(50, Math.min(1_000, config.handshakeTimeoutMs() / 4));
        timers.scheduleAtFixedRate(reaper::reap, period, period, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(writeRepair::sweep, WriteDemandRepair.SWEEP_MS, WriteDemandRepair.SWEEP_MS,
                TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(this::checkListener, 1, 1, TimeUnit.SECONDS);
        return getPort();
    }

    /** Refuses new connections, closes every client with 1001 after its queued data, stops. */
    public void shutdown(long timeoutMs) throws InterruptedException {
        shuttingDown = true;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        awaitQueuesWritten(end - TimeUnit.MILLISECONDS.toNanos(timeoutMs / 4));
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()));
        stop((int) Math.min(Integer.MAX_VALUE, left), "server shutting down");
        timers.shutdownNow();
        acceptGuard.stop();
        for (SocketWriter writer : writers) {
            writer.stop();
        }
    }

    /**
     * Lets the writers finish what is queued before the library closes anything: once stopped,
     * the library's selector gives up after 25 ms without socket activity, which would cut off a
     * reader that is still catching up. A reader that does not read at all holds this only until
     * the deadline.
     */
    private void awaitQueuesWritten(long deadlineNanos) throws InterruptedException {
        while (System.nanoTime() < deadlineNanos && anyQueued()) {
            Thread.sleep(10);
        }
    }

    private boolean anyQueued() {
        for (WebSocket socket : getConnections()) {
            ClientConnection client = socket.getAttachment();
            if (client != null && client.hasQueued() && socket.isOpen()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        if (shuttingDown) {
            conn.close(CloseFrame.GOING_AWAY, "server shutting down");
            return;
        }
        long number = connectionCounter.incrementAndGet();
        SyncSocket socket = (SyncSocket) conn;
        ClientConnection client = new ClientConnection("conn-" + number, socket,
                writers[(int) (number % writers.length)], this, config.outboundLimitBytes(),
                new RateLimiter(config.rateLimitPerSecond(), config.rateLimitBurst(), System::nanoTime), metrics);
        conn.setAttachment(client);
        socket.attach(client);
        metrics.connectionOpened();
        String handshakeToken = verifier == null ? null : AccessTokenCheck.tokenOf(socket.openingRequest());
        if (handshakeToken == null) {
            access.opened(client);
        } else {
            // Verified by AccessTokenCheck a moment ago: found again in the verifier's memory.
            access.opened(client, verifier.verify(handshakeToken));
        }
        // The library's selector keeps a key it wrote the handshake response on in its selected
        // set until the peer sends something, revisiting every such key on every wake-up: 10,000
        // silent clients connecting at once cost it about 30 s of CPU. A ping now makes every
        // standard client answer with a pong at once, and that read takes the key out.
        socket.sendPing();
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        ClientConnection client = conn.getAttachment();
        if (client != null) {
            access.closed(client);
            hub.submit(new HubEvent.Unregister(client));
            LOG.fine(() -> client.connectionId() + " closed: " + code + " " + reason);
        }
    }

    /**
     * This server closing a connection: 1002, 1007 and 1009 are only ever the client's fault
     * (a bad frame, found by the library or by our InboundFrameGuard; invalid UTF-8; a message over
     * the bound), so this one place logs them all, sparingly (LibraryLogFilter drops the library's
     * own SEVERE lines and traces for them).
     */
    @Override
    public void onCloseInitiated(WebSocket conn, int code, String reason) {
        ProtocolErrorLog.Kind kind = ProtocolErrorLog.Kind.ofCloseCode(code);
        ClientConnection client = conn.getAttachment();
        if (kind != null && client != null) {
            protocolErrors.report(client.describe(), client.protocolErrorsLogged, kind,
                    reason + " (closed with " + code + ")");
        }
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        ClientConnection client = conn.getAttachment();
        if (client != null) {
            handler.onText(client, message);
        }
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
        ClientConnection client = conn.getAttachment();
        if (client != null) {
            handler.onBinary(client);
        }
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
        if (ex.getCause() instanceof OutOfMemoryError outOfMemory) {
            // The library caught it in a worker and is stopping the server: end the process instead.
            Thread.UncaughtExceptionHandler last = Thread.getDefaultUncaughtExceptionHandler();
            if (last != null) {
                last.uncaughtException(Thread.currentThread(), outOfMemory);
            }
        }
        if (conn == null && started.getCount() > 0) {
            // Failing to start, such as the port being taken: startAndAwait throws it, and Main
            // says what to do in one line (LibraryLogFilter keeps the library's trace out).
            startFailure = ex;
            started.countDown();
        } else if (conn == null) {
            LOG.log(Level.SEVERE, "WebSocket server failed: " + ex.getMessage(), ex);
        } else if (ex.getCause() instanceof Error fatal) {
            // The library stops the whole server after this (see run()).
            LOG.log(Level.SEVERE, "WebSocket worker failed on a connection", fatal);
        } else if (!(ex instanceof InvalidDataException)) { // a client's bad frame: see onCloseInitiated
            LOG.log(Level.FINE, "connection error", ex);
        }
    }

    @Override
    public void onStart() {
        started.countDown();
    }

    /**
     * Runs the library's selector loop, which accepts and reads every connection. The library ends
     * it for good on an error it considers fatal (an Error in a worker thread, a RuntimeException
     * in the loop), closing the listening socket with it: a server that is up but can never be
     * reached again. When that happens outside a shutdown, {@link #whenListenerStops} is told.
     */
    @Override
    public void run() {
        Throwable ended = null;
        try {
            super.run();
        } catch (RuntimeException | Error e) {
            ended = e;
            throw e;
        } finally {
            listenerRunning = false;
            if (!shuttingDown && startFailure == null) {
                String why = "the WebSocket listener stopped" + (ended == null ? "" : ": " + ended);
                LOG.log(Level.SEVERE, why, ended);
                listenerStopped.accept(why);
            }
        }
    }

    /** Why the listener is not accepting connections now (for /ready); null while it is. */
    public String acceptProblem() {
        if (shuttingDown) {
            return null; // /ready already says the hub has stopped
        }
        return listenerRunning ? acceptGuard.problem() : "the WebSocket listener has stopped";
    }

    @Override
    protected boolean onConnect(SelectionKey key) {
        return acceptGuard.mayAccept(key);
    }

    /** The library calls this once for every socket that closes, opened or not. */
    @Override
    protected boolean removeConnection(WebSocket conn) {
        if (conn instanceof SyncSocket socket && socket.openingRequest() != null) {
            connectionLimit.released(socket.openingRequest()); // it passed every check, so it held a place
        }
        return super.removeConnection(conn);
    }

    /** On ws-timers: a listening socket the library closed after all (see AcceptGuard) is as fatal as a stopped loop. */
    private void checkListener() {
        if (acceptGuard.listenerClosed() && !shuttingDown && listenerRunning) {
            listenerRunning = false;
            String why = "the WebSocket listener's socket was closed by Java-WebSocket after an accept failed";
            LOG.severe(why);
            listenerStopped.accept(why);
        }
    }

    /** What to do when the listener stops outside a shutdown (Main ends the process; the default only logs). */
    public void whenListenerStops(Consumer<String> action) {
        this.listenerStopped = action;
    }

    /** Hard-closes a socket that was asked to close, if it still has not a little later. */
    void closeLater(WebSocketImpl socket, int code) {
        try {
            timers.schedule(() -> socket.closeConnection(code, "closed without a closing handshake"),
                    CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException stopping) {
            // shutting down: the library's stop closes every socket anyway
        }
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
