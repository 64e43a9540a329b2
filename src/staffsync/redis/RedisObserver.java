package staffsync.redis;

/**
 * Told of every round trip the {@link Redis} client makes, for /metrics. Called on the calling
 * thread after the reply (or failure), so it must be quick and thread-safe.
 */
@FunctionalInterface
public interface RedisObserver {
    RedisObserver NONE = (command, outcome, nanos) -> { };

    /** A reply was read. */
    String OK = "ok";
    /** Redis answered with an error reply (the connection stays usable). */
    String ERROR_REPLY = "error_reply";
    /** The connection failed or timed out: Redis unreachable, or it went away mid-call. */
    String IO_ERROR = "io_error";

    /**
     * @param command the command's name ({@code GET}, {@code XRANGE}), {@code script:NAME} for a
     *                Lua script, {@code pipeline} for several at once, {@code connect} for opening
     *                a connection (TCP, TLS, AUTH and SELECT); never a key or an argument
     * @param outcome {@link #OK}, {@link #ERROR_REPLY} or {@link #IO_ERROR}
     * @param nanos   how long the round trip took
     */
    void roundTrip(String command, String outcome, long nanos);
}
