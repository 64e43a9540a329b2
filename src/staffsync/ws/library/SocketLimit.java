package staffsync.ws.library;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * MAX_SOCKETS: every socket the WebSocket port holds at once, in its handshake or open, on every
 * listener it has had (see {@link WebSocketPort}). At the bound the {@link AcceptGuard} stops
 * accepting until a socket closes, so that sockets alone never use up the process's file
 * descriptors: the bound leaves HTTP_MAX_CONNECTIONS and some tens more under the open-files
 * limit, and an {@code accept()} that fails for want of a descriptor (which Java-WebSocket
 * answers by closing its listener) needs something else in the process to take all of those.
 *
 * <p>Counted up on the selector thread that accepted the socket ({@link SocketFactory}), down
 * when the library removes the closed socket ({@link LibraryServer#removeConnection}, once per
 * socket, after its channel is closed). Thread-safety: an atomic counter.
 */
final class SocketLimit {
    private final int max;
    private final AtomicInteger held = new AtomicInteger();

    SocketLimit(int max) {
        this.max = max;
    }

    /** True when no socket may be accepted now. */
    boolean reached() {
        return held.get() >= max;
    }

    void accepted() {
        held.incrementAndGet();
    }

    void closed() {
        held.decrementAndGet();
    }

    int held() {
        return held.get();
    }

    int max() {
        return max;
    }
}
