package staffsync.ws.library;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import staffsync.metrics.Metrics;
import staffsync.ws.library.LibrarySocket.OwnWritePath;

/**
 * Java-WebSocket's server, set up and repaired for this app, turning the library's callbacks into
 * the app's {@link LibrarySocket.Events}. Threads: the library's selector (accepts and reads) and
 * workers (handshakes, decoding, the callbacks), and ws-timers, shared with the app (reaping
 * handshakes, hard closes, the {@link WriteDemandRepair} sweep, the listener check).
 *
 * <p>One instance serves one listening socket: the library cannot reopen its own. When the library
 * closes it, {@link WebSocketPort} starts another instance on the same port, and this one goes on
 * serving the connections it has until they close.
 *
 * @param <C> the app's connection: what it made in {@link LibrarySocket.Events#newConnection}
 */
public final class LibraryServer<C extends OwnWritePath> extends WebSocketServer {
    private static final Logger LOG = Logger.getLogger(LibraryServer.class.getName());
    /** How long a client asked to close has to answer before its socket is cut. */
    private static final int CLOSE_GRACE_SECONDS = 5;
    /** Pending (not yet accepted) connections the listening socket may hold. */
    static final int ACCEPT_BACKLOG = 4096;

    /**
     * What the library is set up with.
     *
     * @param checks             the handshake checks, in order; the first refusal answers
     * @param maxMessageBytes    MAX_MESSAGE_BYTES, per frame and per fragmented message
     * @param handshakeTimeoutMs HANDSHAKE_TIMEOUT_MS: a socket not open by then is closed
     * @param sendBufferBytes    SOCKET_SEND_BUFFER_BYTES (0: the kernel's default)
     * @param pingIntervalSeconds PING_INTERVAL_SECONDS: the library's lost-connection check
     */
    public record Settings(String host, int port, List<HandshakeCheck> checks, int maxMessageBytes,
                           long handshakeTimeoutMs, int sendBufferBytes, int pingIntervalSeconds) {
        public Settings {
            checks = List.copyOf(checks);
        }

        /** The same, listening on the given port (the one bound at start, when PORT was 0). */
        Settings onPort(int boundPort) {
            return new Settings(host, boundPort, checks, maxMessageBytes, handshakeTimeoutMs, sendBufferBytes,
                    pingIntervalSeconds);
        }
    }

    private final Settings settings;
    private final LibrarySocket.Events<C> events;
    private final ScheduledExecutorService timers;
    private final HandshakeReaper reaper;
    final WriteDemandRepair writeRepair;
    private final AcceptGuard acceptGuard;
    /** MAX_SOCKETS, shared with the port's other listeners. */
    private final SocketLimit sockets;
    /** Sockets this instance holds, handshaking or open (counted as for {@link SocketLimit}). */
    private final AtomicInteger heldSockets = new AtomicInteger();
    /** Its tasks on ws-timers, cancelled when it shuts down (an instance may stop long before the app). Guarded by itself. */
    private final List<ScheduledFuture<?>> timerTasks = new ArrayList<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean shuttingDown;
    /**
     * False once the library's selector loop has ended (written by the selector thread) or the
     * listening socket was found closed (by ws-timers).
     */
    private volatile boolean listenerRunning = true;
    private volatile Consumer<String> listenerStopped = why -> { };
    private volatile Consumer<String> listenerClosed = why -> { };
    private volatile Exception startFailure;

    LibraryServer(Settings settings, LibrarySocket.Events<C> events, Metrics metrics,
                  ScheduledExecutorService timers, SocketLimit sockets) {
        super(new InetSocketAddress(settings.host(), settings.port()),
                Math.max(2, Runtime.getRuntime().availableProcessors()),
                List.<Draft>of(new StaffSyncDraft(settings.maxMessageBytes())));
        this.settings = settings;
        this.events = events;
        this.timers = timers;
        this.sockets = sockets;
        this.acceptGuard = new AcceptGuard(timers, sockets);
        this.reaper = new HandshakeReaper(settings.handshakeTimeoutMs(), metrics);
        this.writeRepair = new WriteDemandRepair(this::getConnections, this::onWriteDemand, metrics);
        InboundRules rules = new InboundRules(settings.checks(), settings.maxMessageBytes(), this::closeLater);
        setWebSocketFactory(new SocketFactory(settings.sendBufferBytes(), rules, reaper, this::socketAccepted));
        setReuseAddr(true);
        setTcpNoDelay(true);
        // The library's default accept backlog is the JDK's 50: a burst of connects (a deploy, a
        // network blip reconnecting everyone) overflows it, and the kernel drops SYNs the clients
        // then retry only after 1, 3, 7 s. Ask for more; the kernel caps it at net.core.somaxconn.
        setMaxPendingConnections(ACCEPT_BACKLOG);
        setConnectionLostTimeout(settings.pingIntervalSeconds());
    }

    /** Starts the selector thread and waits until the port is bound; returns the bound port. */
    int startAndAwait() throws Exception {
        acceptGuard.start();
        try {
            start();
            if (!started.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the WebSocket server did not start within 10 s");
            }
            if (startFailure != null) {
                throw startFailure;
            }
        } catch (Exception failed) {
            acceptGuard.stop(); // a listener opened again may fail to bind: its reserve must not leak
            throw failed;
        }
        long period = Math.max(50, Math.min(1_000, settings.handshakeTimeoutMs() / 4));
        synchronized (timerTasks) {
            timerTasks.add(timers.scheduleAtFixedRate(reaper::reap, period, period, TimeUnit.MILLISECONDS));
            timerTasks.add(timers.scheduleWithFixedDelay(writeRepair::sweep, WriteDemandRepair.SWEEP_MS,
                    WriteDemandRepair.SWEEP_MS, TimeUnit.MILLISECONDS));
            timerTasks.add(timers.scheduleWithFixedDelay(this::checkListener, AcceptGuard.RETRY_MS,
                    AcceptGuard.RETRY_MS, TimeUnit.MILLISECONDS));
        }
        return getPort();
    }

    /**
     * Refuses new connections, lets the app's writers finish what is queued, closes every
     * connection with 1001, waits for the close frames to be written, and only then stops the
     * library.
     *
     * <p>Why not leave the closing to the library's {@code stop()}: it tells its selector to end
     * first and then closes the connections one by one, and a selector told to end gives up after
     * 25 ms without socket activity and closes itself, while {@code stop()} may still be closing
     * (1,000 connections, a GC pause). Every close after that point is lost: its close frame is
     * dropped with the key, or {@code onWriteDemand} meets the closed selector and its
     * {@link ClosedSelectorException} ends {@code stop()}, and with it the closing of the rest.
     * Closed here, every close frame is written by a selector that is still running; the library's
     * {@code stop()} then finds nothing left to close.
     *
     * <p>The wait for queued data comes first for the same reason: a stopped selector would cut off
     * a reader that is still catching up. A reader that does not read at all holds each wait only
     * until its deadline.
     */
    void shutdown(long timeoutMs) throws InterruptedException {
        shuttingDown = true;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long queuesDeadline = end - TimeUnit.MILLISECONDS.toNanos(timeoutMs / 4);
        while (System.nanoTime() < queuesDeadline && anyQueued()) {
            Thread.sleep(10);
        }
        for (WebSocket socket : getConnections()) {
            closeGoingAway(socket);
        }
        long closeFramesDeadline = end - TimeUnit.MILLISECONDS.toNanos(timeoutMs / 8);
        while (System.nanoTime() < closeFramesDeadline && anyCloseFrameUnwritten()) {
            Thread.sleep(10);
        }
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()));
        try {
            stop((int) Math.min(Integer.MAX_VALUE, left), "server shutting down");
        } catch (ClosedSelectorException selectorEnded) {
            // Only a connection that opened after the closes above gets here; the rest are closing.
            LOG.fine("a connection opened during shutdown could not be sent its close frame");
        }
        acceptGuard.stop();
        synchronized (timerTasks) {
            timerTasks.forEach(task -> task.cancel(false));
        }
    }

    /** Its listener is gone and another has taken the port: the reserve it held is the new one's. */
    void retire() {
        acceptGuard.stop();
    }

    /** Sockets this instance still holds, handshaking or open. */
    int heldSockets() {
        return heldSockets.get();
    }

    /** On the selector thread, for each socket the library accepted. */
    private void socketAccepted() {
        heldSockets.incrementAndGet();
        sockets.accepted();
    }

    /**
     * Starts the closing handshake with 1001. During a shutdown the library's selector may already
     * have ended (see {@link #shutdown}): then nothing can write the close frame, and the socket
     * closes with the process.
     */
    private static void closeGoingAway(WebSocket socket) {
        try {
            socket.close(CloseFrame.GOING_AWAY, "server shutting down");
        } catch (ClosedSelectorException selectorEnded) {
            LOG.fine("the WebSocket selector ended before a connection's close frame could be sent");
        }
    }

    private boolean anyQueued() {
        for (WebSocket socket : getConnections()) {
            C connection = socket.getAttachment();
            if (connection != null && connection.hasQueued() && socket.isOpen()) {
                return true;
            }
        }
        return false;
    }

    /** A connection closing whose close frame (with anything handed over before it) is still in the library's queue. */
    private boolean anyCloseFrameUnwritten() {
        for (WebSocket socket : getConnections()) {
            if (socket.isClosing() && !((WebSocketImpl) socket).outQueue.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        if (shuttingDown) {
            closeGoingAway(conn);
            return;
        }
        SyncSocket socket = (SyncSocket) conn;
        C connection = events.newConnection(socket);
        conn.setAttachment(connection);
        socket.routeSendsTo(connection);
        events.opened(connection, socket.openingRequest());
        // The library's selector keeps a key it wrote the handshake response on in its selected
        // set until the peer sends something, revisiting every such key on every wake-up: 10,000
        // silent clients connecting at once cost it about 30 s of CPU. A ping now makes every
        // standard client answer with a pong at once, and that read takes the key out.
        socket.sendPing();
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        C connection = conn.getAttachment();
        if (connection != null) {
            events.closed(connection, code, reason);
        }
    }

    /** This server closing a connection: by the app's decision, or for a client's bad frame (1002, 1007, 1009). */
    @Override
    public void onCloseInitiated(WebSocket conn, int code, String reason) {
        C connection = conn.getAttachment();
        if (connection != null) {
            events.closing(connection, code, reason);
        }
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        C connection = conn.getAttachment();
        if (connection != null) {
            events.text(connection, message);
        }
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
        C connection = conn.getAttachment();
        if (connection != null) {
            events.binary(connection);
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

    /**
     * Runs {@code action} on the app's object of every open connection (a snapshot of them).
     * Package-private: the rest of the server reaches every instance's connections through
     * {@link WebSocketPort#forEachConnection}.
     */
    void forEachConnection(Consumer<C> action) {
        for (WebSocket socket : getConnections()) {
            C connection = socket.getAttachment();
            if (connection != null) {
                action.accept(connection);
            }
        }
    }

    /**
     * False once the library's selector loop has ended, closing its selector (or, outside a
     * shutdown, once the listening socket was found closed).
     */
    boolean selectorRunning() {
        return listenerRunning;
    }

    /** Why the listener is not accepting connections now (for /ready); null while it is. */
    String acceptProblem() {
        if (shuttingDown) {
            return null; // /ready already says the hub has stopped
        }
        return listenerRunning ? acceptGuard.problem() : "the WebSocket listener has stopped";
    }

    @Override
    protected boolean onConnect(SelectionKey key) {
        return acceptGuard.mayAccept(key);
    }

    /**
     * The library calls this once for every socket that closes, opened or not (from
     * {@code WebSocketImpl.closeConnection}, which runs once, after closing the channel).
     */
    @Override
    protected boolean removeConnection(WebSocket conn) {
        heldSockets.decrementAndGet();
        sockets.closed();
        if (conn instanceof SyncSocket socket && socket.openingRequest() != null) {
            // It passed every check, so a check may hold a place for it (the connection limit).
            for (HandshakeCheck check : settings.checks()) {
                check.released(socket.openingRequest());
            }
        }
        return super.removeConnection(conn);
    }

    /** On ws-timers: a listening socket the library closed after all (see AcceptGuard) is reported once. */
    private void checkListener() {
        if (acceptGuard.listenerClosed() && !shuttingDown && listenerRunning) {
            listenerRunning = false;
            listenerClosed.accept("Java-WebSocket closed the WebSocket listener after an accept failed");
        }
    }

    /** What to do when the selector loop stops outside a shutdown (the port ends the process). */
    void whenListenerStops(Consumer<String> action) {
        this.listenerStopped = action;
    }

    /** What to do when the library has closed the listening socket, its loop still serving the connections. */
    void whenListenerCloses(Consumer<String> action) {
        this.listenerClosed = action;
    }

    /** Hard-closes a socket that was asked to close, if it still has not a little later. */
    private void closeLater(WebSocketImpl socket, int code) {
        try {
            timers.schedule(() -> socket.closeConnection(code, "closed without a closing handshake"),
                    CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException stopping) {
            // shutting down: the library's stop closes every socket anyway
        }
    }
}
