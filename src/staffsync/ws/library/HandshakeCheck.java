package staffsync.ws.library;

/**
 * The gate's check interface: one rule an upgrade request must pass before it becomes a WebSocket: the right path and
 * version, an allowed Origin, a valid token, room for another connection. The
 * {@link HandshakeGate} asks each check in order; the first refusal answers the request.
 *
 * <p>Checks run on Java-WebSocket's worker threads, one request at a time per connection but
 * many connections at once: a check is stateless or thread-safe, and never blocks.
 */
@FunctionalInterface
public interface HandshakeCheck {

    /** Null to let the request through; otherwise the HTTP error to answer it with. */
    HandshakeRefusal check(HandshakeRequest request);

    /**
     * The socket of a request that passed every check has closed (on the thread that removes it):
     * a check that took something for it (a place under a limit) gives it back.
     */
    default void released(HandshakeRequest request) {
    }
}
