package staffsync.ws;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import staffsync.metrics.Metrics;

/**
 * Finds queued frames that Java-WebSocket 1.6.0 forgot to write, and asks for them again.
 *
 * <p>The race, read from the library's source: a sender appends to a connection's
 * {@code outQueue} and then turns on the key's write interest ({@code onWriteDemand}). The
 * selector thread, having just written the queue empty, turns write interest <em>off</em>
 * ({@code key.interestOps(OP_READ)} after {@code SocketChannelIOHelper.batch} returns). If the
 * sender's append lands after the selector's last look at the queue but its "on" lands before the
 * selector's "off", the frame sits in the queue with nothing to write it until the next send to
 * that connection, which for a quiet client may be never: a reply the client waits for forever.
 * The library's methods involved are private or final, so the repair is from outside.
 *
 * <p>How: every send {@linkplain #watch watches} its connection. Each {@link #tick} looks at the
 * watched ones: a connection with frames queued but no write interest gets its demand again
 * (counted in {@code staffsync_write_demand_repairs_total}); one still draining stays watched; one
 * drained is forgotten. Frames the library queues itself (pings, pongs, close frames) are not
 * watched, so every {@link #SWEEP_EVERY_TICKS}th tick looks at every connection instead: a ping
 * stuck this way would otherwise get a healthy client closed as dead.
 *
 * <p>Thread-safety: {@link #watch} runs on any sending thread; {@link #tick} only on the
 * ws-timers thread, which alone drains {@link #watched}. Each connection's "already watched" flag
 * keeps it in the queue at most once.
 */
final class WriteDemandRepair {
    /** Worst-case delay a lost write demand adds, as the tick period. */
    static final int TICK_MS = 10;
    /** A full sweep every second. */
    static final int SWEEP_EVERY_TICKS = 100;

    private final ConcurrentLinkedQueue<ClientConnection> watched = new ConcurrentLinkedQueue<>();
    private final Supplier<? extends Iterable<WebSocket>> allConnections;
    private final Consumer<WebSocketImpl> demandWrite;
    private final Metrics metrics;
    /** Owned by the ws-timers thread. */
    private long ticks;

    WriteDemandRepair(Supplier<? extends Iterable<WebSocket>> allConnections, Consumer<WebSocketImpl> demandWrite,
                      Metrics metrics) {
        this.allConnections = allConnections;
        this.demandWrite = demandWrite;
        this.metrics = metrics;
    }

    /** Called after each send: cheap when the connection is already watched (one volatile read). */
    void watch(ClientConnection connection) {
        if (!connection.repairWatched.get() && connection.repairWatched.compareAndSet(false, true)) {
            watched.add(connection);
        }
    }

    /** Runs on the ws-timers thread every {@link #TICK_MS} ms. */
    void tick() {
        List<ClientConnection> stillDraining = new ArrayList<>();
        for (ClientConnection connection; (connection = watched.poll()) != null; ) {
            // Clear the flag before looking: a send after the look then watches it afresh.
            connection.repairWatched.set(false);
            if (repairIfStuck(connection.socket()) == Queue.DRAINING) {
                stillDraining.add(connection);
            }
        }
        stillDraining.forEach(this::watch);
        if (++ticks % SWEEP_EVERY_TICKS == 0) {
            for (WebSocket socket : allConnections.get()) {
                repairIfStuck((WebSocketImpl) socket);
            }
        }
    }

    private enum Queue { EMPTY, DRAINING }

    private Queue repairIfStuck(WebSocketImpl socket) {
        if (socket.outQueue.isEmpty()) {
            return Queue.EMPTY;
        }
        SelectionKey key = socket.getSelectionKey();
        if (key == null || !key.isValid()) {
            return Queue.EMPTY; // closed: the library clears the queue
        }
        try {
            if ((key.interestOps() & SelectionKey.OP_WRITE) == 0) {
                metrics.writeDemandRepaired();
                demandWrite.accept(socket);
            }
        } catch (CancelledKeyException closedMeanwhile) {
            return Queue.EMPTY;
        }
        return Queue.DRAINING;
    }
}
