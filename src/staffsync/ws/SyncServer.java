package staffsync.ws;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import staffsync.config.Config;
import staffsync.hub.Hub;
import staffsync.hub.HubEvent;
import staffsync.metrics.Metrics;

/**
 * The WebSocket edge, serving {@value #PATH}. Threads: Java-WebSocket's selector (accepts and
 * reads) and workers (handshakes, decoding, our callbacks), our {@link SocketWriter}s (every
 * byte written to an open connection), and ws-timers (reaping handshakes, hard closes, the
 * {@link WriteDemandRepair} sweep). The callbacks only parse, answer cheaply or queue work for
 * the hub; they never wait.
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
    private final HandshakeReaper reaper;
    final WriteDemandRepair writeRepair;
    private final SocketWriter[] writers;
    private final AtomicLong connectionCounter = new AtomicLong();
    private final CountDownLatch started = new CountDownLatch(1);
    private final ScheduledExecutorService timers =
            Executors.newSingleThreadScheduledExecutor(task -> daemon(task, "ws-timers"));
    private volatile boolean shuttingDown;
    private volatile Exception startFailure;

    public SyncServer(Config config, Hub hub, TextFrames frames, Metrics metrics) {
        super(new InetSocketAddress(config.host(), config.port()),
                Math.max(2, Runtime.getRuntime().availableProcessors()),
                List.<Draft>of(new StaffSyncDraft(config.maxMessageBytes())));
        this.hub = hub;
        this.config = config;
        this.metrics = metrics;
        this.protocolErrors = new ProtocolErrorLog(config.protocolErrorLogPerMinute(), LOG::info, metrics, System::nanoTime);
        this.handler = new MessageHandler(hub, frames, metrics, config.maxPendingPerConnection(), protocolErrors);
        InboundRules rules = new InboundRules(List.of(new UpgradeRequestCheck(PATH)), config.maxMessageBytes(),
                this::closeLater);
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

    /** Starts the selector thread and waits until the port is bound; returns the bound port. */
    public int startAndAwait() throws Exception {
        for (SocketWriter writer : writers) {
            writer.start();
        }
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
                new RateLimiter(config.rateLimitPerSecond(), config.rateLimitBurst()), metrics);
        conn.setAttachment(client);
        socket.attach(client);
        metrics.connectionOpened();
        hub.submit(new HubEvent.Register(client));
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
        if (conn == null && started.getCount() > 0) {
            // Failing to start, such as the port being taken: startAndAwait throws it, and Main
            // says what to do in one line (LibraryLogFilter keeps the library's trace out).
            startFailure = ex;
            started.countDown();
        } else if (conn == null) {
            LOG.log(Level.SEVERE, "WebSocket server failed: " + ex.getMessage(), ex);
        } else if (!(ex instanceof InvalidDataException)) { // a client's bad frame: see onCloseInitiated
            LOG.log(Level.FINE, "connection error", ex);
        }
    }

    @Override
    public void onStart() {
        started.countDown();
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

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
