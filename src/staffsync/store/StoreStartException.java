package staffsync.store;

/**
 * A store could not start: its data cannot be loaded or its directory cannot be used. The
 * message is one clear line naming the file (and offset) at fault; Main prints it and exits
 * nonzero rather than serve a partial or made-up state.
 */
public final class StoreStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreStartException(String message) {
        super(message);
    }

    public StoreStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
