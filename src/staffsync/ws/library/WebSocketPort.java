package staffsync.ws.library;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.java_websocket.WebSocket;
import staffsync.metrics.Metrics;
import staffsync.ws.library.LibrarySocket.OwnWritePath;

/**
 * The WebSocket port: the {@link LibraryServer} listening on it now, and any earlier ones whose
 * listening socket Java-WebSocket closed, each still serving the connections it had.
 *
 * <p>Java-WebSocket 1.6.0 closes its listening socket for good when an {@code accept()} fails
 * (see {@link AcceptGuard}, which makes that rare), and one server instance can never listen
 * again: the channel is a private field, and a closed channel cannot be reopened. So the port
 * binds a new instance to the same address and port at once (within {@value AcceptGuard#RETRY_MS}
 * ms of the closing), logs it once, and {@code /ready} says so until it listens. The old instance
 * keeps its selector loop, workers and connections; it is stopped once its last socket has closed.
 * Only when no new listener can be opened for {@value #REOPEN_FOR_MS} ms (another process took the
 * port, no descriptor to be had) is the listener reported as stopped, and the process ends.
 *
 * <p>MAX_SOCKETS ({@link SocketLimit}) and the handshake checks (MAX_CONNECTIONS) are shared by
 * every instance, so the limits hold across them.
 *
 * <p>Thread-safety: the instances and the reopening state are guarded by this object's lock;
 * reopening runs on ws-timers, shutdown on the shutdown thread, {@link #acceptProblem} on an HTTP
 * thread.
 *
 * @param <C> the app's connection
 */
public final class WebSocketPort<C extends OwnWritePath> {
    private static final Logger LOG = Logger.getLogger(WebSocketPort.class.getName());
    /** How long reopening the listener is tried before the process gives up on it. */
    static final long REOPEN_FOR_MS = 5_000;
    /** How often earlier instances are checked for their last socket closing. */
    private static final long RETIRED_CHECK_MS = 1_000;

    private final LibraryServer.Settings settings;
    private final LibrarySocket.Events<C> events;
    private final Metrics metrics;
    private final ScheduledExecutorService timers;
    private final SocketLimit sockets;
    private volatile Consumer<String> listenerStopped = why -> { };

    /** The instance that listens (or last listened) on the port. */
    private LibraryServer<C> current;
    /** Earlier instances, their listeners closed, until their last socket closes. */
    private final List<LibraryServer<C>> retired = new ArrayList<>();
    private int boundPort;
    /** Since when no instance listens (System.nanoTime), while reopening; 0 otherwise. */
    private long reopeningSinceNanos;
    private String reopeningWhy;
    private boolean stopping;

    public WebSocketPort(LibraryServer.Settings settings, int maxSockets, LibrarySocket.Events<C> events,
                         Metrics metrics, ScheduledExecutorService timers) {
        this.settings = settings;
        this.events = events;
        this.metrics = metrics;
        this.timers = timers;
        this.sockets = new SocketLimit(maxSockets);
    }

    /** Binds the port and starts serving; returns the bound port. */
    public int startAndAwait() throws Exception {
        LibraryServer<C> first = newInstance(settings);
        int port = first.startAndAwait();
        synchronized (this) {
            current = first;
            boundPort = port;
        }
        timers.scheduleWithFixedDelay(this::stopDrainedInstances, RETIRED_CHECK_MS, RETIRED_CHECK_MS,
                TimeUnit.MILLISECONDS);
        return port;
    }

    private LibraryServer<C> newInstance(LibraryServer.Settings on) {
        LibraryServer<C> server = new LibraryServer<>(on, events, metrics, timers, sockets);
        server.whenListenerStops(why -> listenerStopped.accept(why));
        server.whenListenerCloses(why -> listenerClosed(server, why));
        return server;
    }

    /** On ws-timers: the library closed {@code dead}'s listening socket; its connections stay with it. */
    private void listenerClosed(LibraryServer<C> dead, String why) {
        synchronized (this) {
            if (stopping || dead != current) {
                return;
            }
            retired.add(dead);
            dead.retire(); // its descriptor reserve is released for the new listener's
            reopeningSinceNanos = System.nanoTime();
            reopeningWhy = why;
            LOG.severe(why + "; opening a new listener on " + settings.host() + ":" + boundPort + " (the "
                    + dead.heldSockets() + " sockets it accepted stay open and served)");
        }
        reopen();
    }

    /** On ws-timers: binds a new instance to the port, or tries again shortly, or gives up. */
    private void reopen() {
        LibraryServer<C> next;
        synchronized (this) {
            if (stopping || reopeningSinceNanos == 0) {
                return;
            }
            next = newInstance(settings.onPort(boundPort));
        }
        Exception failure;
        try {
            bindable(settings.host(), boundPort);
            next.startAndAwait();
            failure = null;
        } catch (Exception e) {
            failure = e;
        }
        String giveUp = null;
        boolean tooLate = false;
        synchronized (this) {
            long gapMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reopeningSinceNanos);
            if (failure == null && stopping) {
                tooLate = true; // shutdown began meanwhile and did not see this one
            } else if (failure == null) {
                current = next;
                reopeningSinceNanos = 0;
                LOG.warning("the WebSocket listener on " + settings.host() + ":" + boundPort + " is open again after "
                        + gapMs + " ms");
                return;
            } else if (gapMs >= REOPEN_FOR_MS) {
                giveUp = "the WebSocket listener was closed and could not be opened again on port " + boundPort
                        + " for " + gapMs + " ms: " + failure;
            } else {
                LOG.log(Level.FINE, "reopening the WebSocket listener failed; trying again", failure);
            }
        }
        if (tooLate) {
            stopQuietly(next);
            return;
        }
        if (giveUp != null) {
            listenerStopped.accept(giveUp);
            return;
        }
        try {
            timers.schedule(this::reopen, AcceptGuard.RETRY_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // stopping: nothing to reopen
        }
    }

    /**
     * Throws when the port cannot be bound now, checked with a socket that binds without listening.
     * The library, failing to bind, would keep its listening channel open (it never closes it on
     * that path): without this check every failed attempt would cost a descriptor.
     */
    private static void bindable(String host, int port) throws IOException {
        try (SocketChannel probe = SocketChannel.open()) {
            probe.setOption(StandardSocketOptions.SO_REUSEADDR, true); // as the listener has it
            probe.bind(new InetSocketAddress(host, port));
        }
    }

    /** On ws-timers: stops earlier instances whose last socket has closed (their threads and selector). */
    private void stopDrainedInstances() {
        List<LibraryServer<C>> drained = new ArrayList<>();
        synchronized (this) {
            if (stopping) {
                return;
            }
            retired.removeIf(server -> server.heldSockets() == 0 && drained.add(server));
        }
        drained.forEach(WebSocketPort::stopQuietly);
    }

    private static void stopQuietly(LibraryServer<?> server) {
        try {
            server.shutdown(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Refuses new connections and closes every client with 1001 after its queued data, on every
     * instance at once, within the timeout.
     */
    public void shutdown(long timeoutMs) throws InterruptedException {
        List<LibraryServer<C>> all;
        synchronized (this) {
            stopping = true;
            all = new ArrayList<>(retired);
            if (current != null) {
                all.add(current);
            }
        }
        List<Thread> others = new ArrayList<>();
        for (LibraryServer<C> server : all.subList(0, Math.max(0, all.size() - 1))) {
            Thread stopper = new Thread(() -> {
                try {
                    server.shutdown(timeoutMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "ws-shutdown");
            stopper.start();
            others.add(stopper);
        }
        if (!all.isEmpty()) {
            all.get(all.size() - 1).shutdown(timeoutMs);
        }
        for (Thread stopper : others) {
            stopper.join(timeoutMs);
        }
    }

    /** Why the port is not accepting connections now (for /ready); null while it is. */
    public synchronized String acceptProblem() {
        if (stopping) {
            return null; // /ready already says the hub has stopped
        }
        if (reopeningSinceNanos != 0) {
            return reopeningWhy + "; no listener for " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
                    - reopeningSinceNanos) + " ms, opening a new one";
        }
        return current == null ? null : current.acceptProblem();
    }

    /**
     * What to do when the port stops accepting for good: a selector loop the library stopped, or a
     * listener that could not be opened again (Main ends the process; the default only logs).
     */
    public void whenListenerStops(Consumer<String> action) {
        this.listenerStopped = action;
    }

    /** Runs {@code action} on the app's object of every open connection, on every instance. */
    public void forEachConnection(Consumer<C> action) {
        List<LibraryServer<C>> instances;
        synchronized (this) {
            instances = new ArrayList<>(retired);
            if (current != null) {
                instances.add(current);
            }
        }
        // Outside the lock: the action may close a connection, which calls back into the library.
        instances.forEach(server -> server.forEachConnection(action));
    }

    /** The connections open on every instance (for tests that reach into their sockets). */
    public synchronized List<WebSocket> connections() {
        List<WebSocket> all = new ArrayList<>();
        retired.forEach(server -> all.addAll(server.getConnections()));
        if (current != null) {
            all.addAll(current.getConnections());
        }
        return all;
    }
}
