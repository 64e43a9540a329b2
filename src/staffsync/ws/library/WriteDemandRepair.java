package staffsync.ws.library;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import staffsync.metrics.Metrics;

/**
 * Finds frames in Java-WebSocket 1.6.0's own queue that it forgot to write, and asks again.
 *
 * <p>The race, read from the library's source: a sender appends to a connection's
 * {@code outQueue} and then turns on the key's write interest ({@code onWriteDemand}). The
 * selector thread, having just written the queue empty, turns write interest <em>off</em>
 * ({@code key.interestOps(OP_READ)} after {@code SocketChannelIOHelper.batch} returns). If the
 * sender's append lands after the selector's last look at the queue but its "on" lands before the
 * selector's "off", the frame sits in the queue with nothing to write it. The methods involved
 * are private or final, so the repair is from outside.
 *
 * <p>Our own messages no longer take that path (the app's writers write them), but the
 * handshake response and close frames still do, so once a {@link #SWEEP_MS second} this looks at
 * every connection: frames queued with no write interest get their demand again (counted in
 * {@code staffsync_write_demand_repairs_total}). A close frame lost this way would otherwise
 * wait for the hard close, and a handshake response forever (until the reaper).
 *
 * <p>Runs on the ws-timers thread; it reads the library's thread-safe queue and key only.
 */
final class WriteDemandRepair {
    static final int SWEEP_MS = 1_000;

    private final Supplier<? extends Iterable<WebSocket>> allConnections;
    private final Consumer<WebSocketImpl> demandWrite;
    private final Metrics metrics;

    WriteDemandRepair(Supplier<? extends Iterable<WebSocket>> allConnections, Consumer<WebSocketImpl> demandWrite,
                      Metrics metrics) {
        this.allConnections = allConnections;
        this.demandWrite = demandWrite;
        this.metrics = metrics;
    }

    void sweep() {
        for (WebSocket socket : allConnections.get()) {
            repairIfStuck((WebSocketImpl) socket);
        }
    }

    private void repairIfStuck(WebSocketImpl socket) {
        if (socket.outQueue.isEmpty()) {
            return;
        }
        SelectionKey key = socket.getSelectionKey();
        try {
            if (key != null && key.isValid() && (key.interestOps() & SelectionKey.OP_WRITE) == 0) {
                metrics.writeDemandRepaired();
                demandWrite.accept(socket);
            }
        } catch (CancelledKeyException closedMeanwhile) {
            // closed: the library clears the queue
        }
    }
}
