package staffsync.ws.library;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Keeps the WebSocket listener open when the process runs short of file descriptors, in two layers.
 *
 * <p>Java-WebSocket 1.6.0 handles an IOException from {@code accept()} (EMFILE "Too many open
 * files", ENFILE, ENOMEM) as it would one from a client socket: it cancels the key and closes the
 * channel, which here is the listening socket. Nothing is logged, and that server never accepts
 * again. Its {@code server} field is private, so the accept itself cannot be wrapped; the only
 * hook is {@code onConnect}, on its selector thread just before the accept, where this guard
 * decides. When it refuses, the library only cancels the listener's key: the listening socket
 * stays open and the kernel keeps queueing connections in its backlog; the guard registers the
 * listener with the selector again every {@value #RETRY_MS} ms once it may accept (what nginx
 * does on EMFILE: stop accepting for a moment, never close the listener). It logs once per
 * {@value #LOG_INTERVAL_MS} ms, and {@code /ready} says why meanwhile. It refuses:
 * <ol>
 *   <li>when the port holds its MAX_SOCKETS ({@link SocketLimit}), which leaves HTTP_MAX_CONNECTIONS
 *       and some tens of descriptors under the open-files limit: so sockets alone never exhaust
 *       the descriptors;</li>
 *   <li>when a descriptor cannot be had (a probe socket cannot be opened): something else took
 *       them. The guard then also lets go of the {@value #RESERVE} descriptors it holds in
 *       reserve, so that {@code /ready}, the log and the store can still work, and resumes only
 *       once it can take its reserve back.</li>
 * </ol>
 *
 * <p>A race remains in the second case: another thread may take the last descriptor between the
 * probe and the library's accept (seen with JFR attached). With the first layer that needs
 * something else to take all the headroom inside one accept's window. If it happens anyway, the
 * listening socket is closed after all; {@link #listenerClosed} sees that, and
 * {@link WebSocketPort} opens a new listener on the same port.
 *
 * <p>Thread-safety: every method is synchronized (the selector thread, ws-timers and /ready's
 * HTTP thread call them); the lock is held only around a few system calls.
 */
final class AcceptGuard {
    static final long RETRY_MS = 100;
    static final long LOG_INTERVAL_MS = 10_000;
    /** Descriptors held back for the rest of the process while accepting is paused. */
    static final int RESERVE = 8;
    private static final Logger LOG = Logger.getLogger(AcceptGuard.class.getName());

    private final ScheduledExecutorService timers;
    private final SocketLimit sockets;
    private final List<SocketChannel> reserve = new ArrayList<>();
    private ServerSocketChannel listener;
    private Selector selector;
    private boolean paused;
    private long pausedAtNanos;
    private String shortage;
    /** Accepts refused since the last log line. */
    private long refused;
    private long loggedAtNanos;

    AcceptGuard(ScheduledExecutorService timers, SocketLimit sockets) {
        this.timers = timers;
        this.sockets = sockets;
    }

    /** At start: takes the reserve. */
    synchronized void start() throws IOException {
        try {
            takeReserve();
        } catch (IOException shortOfDescriptors) {
            releaseReserve();
            throw shortOfDescriptors;
        }
    }

    /** Before each accept, on the selector thread: true to let the library accept. */
    synchronized boolean mayAccept(SelectionKey listenerKey) {
        listener = (ServerSocketChannel) listenerKey.channel();
        selector = listenerKey.selector();
        if (sockets.reached()) {
            refused++;
            if (!paused) {
                pause(atSocketLimit());
            }
            return false;
        }
        IOException failure = probe();
        if (failure == null) {
            return true;
        }
        refused++;
        if (!paused) {
            releaseReserve();
            pause(String.valueOf(failure.getMessage()) + " (out of file descriptors; see MAX_SOCKETS)");
        }
        // The library cancels the listener's key now; retry() registers it again.
        return false;
    }

    private void pause(String why) {
        paused = true;
        pausedAtNanos = System.nanoTime();
        shortage = why;
        logNow("accepting WebSocket connections is paused: " + shortage + "; the listener stays open, waiting"
                + " connections queue in its backlog, and accepting is retried every " + RETRY_MS + " ms");
        scheduleRetry();
    }

    private String atSocketLimit() {
        return "the port holds " + sockets.held() + " sockets, its MAX_SOCKETS of " + sockets.max()
                + " (in their handshake or open)";
    }

    /** On ws-timers: resumes accepting once under MAX_SOCKETS and the reserve and one more descriptor can be had. */
    synchronized void retry() {
        if (!paused || !listener.isOpen()) {
            return;
        }
        try {
            if (sockets.reached()) {
                throw new IOException(atSocketLimit());
            }
            takeReserve();
            IOException failure = probe();
            if (failure != null) {
                throw failure;
            }
        } catch (IOException stillShort) {
            if (!sockets.reached()) {
                releaseReserve(); // short of descriptors: keep none back
            }
            refused++;
            if (System.nanoTime() - loggedAtNanos >= TimeUnit.MILLISECONDS.toNanos(LOG_INTERVAL_MS)) {
                logNow("accepting WebSocket connections is still paused after " + pausedMillis() + " ms: "
                        + stillShort.getMessage());
            }
            scheduleRetry();
            return;
        }
        try {
            listener.register(selector, SelectionKey.OP_ACCEPT);
            selector.wakeup();
        } catch (CancelledKeyException notYetDropped) {
            scheduleRetry(); // the selector has not yet dropped the cancelled key
            return;
        } catch (IOException | ClosedSelectorException stopped) {
            return; // the server is stopping
        }
        paused = false;
        LOG.info("accepting WebSocket connections again after " + pausedMillis() + " ms");
        refused = 0;
    }

    /** Why connections are not being accepted now, for /ready; null while they are. */
    synchronized String problem() {
        if (paused) {
            return "the WebSocket listener is not accepting for " + pausedMillis() + " ms: " + shortage;
        }
        if (listenerClosed()) {
            return "the WebSocket listener's socket is closed";
        }
        return null;
    }

    /** True once the listening socket has been closed (only known after the first accept). */
    synchronized boolean listenerClosed() {
        return listener != null && !listener.isOpen();
    }

    synchronized void stop() {
        releaseReserve();
    }

    private void scheduleRetry() {
        try {
            timers.schedule(this::retry, RETRY_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // shutting down: nothing to resume
        }
    }

    private long pausedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAtNanos);
    }

    private void logNow(String message) {
        LOG.warning(message + (refused > 1 ? " (" + refused + " attempts refused)" : ""));
        loggedAtNanos = System.nanoTime();
        refused = 0;
    }

    /** Opens and closes a socket: null when a descriptor could be had, else why not. */
    private static IOException probe() {
        try {
            SocketChannel.open().close();
            return null;
        } catch (IOException failure) {
            return failure;
        }
    }

    private void takeReserve() throws IOException {
        while (reserve.size() < RESERVE) {
            reserve.add(SocketChannel.open());
        }
    }

    private void releaseReserve() {
        for (SocketChannel held : reserve) {
            try {
                held.close();
            } catch (IOException ignored) {
                // closing an unconnected socket: nothing to report
            }
        }
        reserve.clear();
    }
}
