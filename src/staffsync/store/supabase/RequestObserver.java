package staffsync.store.supabase;

/**
 * Told about every HTTP exchange with PostgREST, so the server's /metrics can show how Supabase
 * is doing: how many calls, how they ended, how long they took. Called on the calling thread;
 * implementations must be thread-safe and quick.
 */
@FunctionalInterface
public interface RequestObserver {
    RequestObserver NONE = (method, outcome, nanos) -> { };

    /**
     * @param method  the HTTP method: GET, POST, PATCH or DELETE
     * @param outcome the status class ({@code 2xx} ... {@code 5xx}), or {@code timeout},
     *                {@code not_sent} (no connection) or {@code io_error} (the exchange broke)
     */
    void observed(String method, String outcome, long nanos);
}
