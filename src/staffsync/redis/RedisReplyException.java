package staffsync.redis;

/**
 * Redis answered a command with an error reply ({@code -ERR ...}, {@code -NOSCRIPT ...}): the
 * connection is fine, the command was refused. The message is Redis's, which never repeats
 * the command's arguments.
 */
public final class RedisReplyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RedisReplyException(String message) {
        super(message);
    }

    /** The error's first word, such as {@code NOSCRIPT} or {@code WRONGPASS}. */
    public String prefix() {
        String message = getMessage();
        int space = message.indexOf(' ');
        return space < 0 ? message : message.substring(0, space);
    }
}
