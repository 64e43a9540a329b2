package staffsync.store.supabase;

/**
 * The ledger cannot record or publish right now (with Redis: Redis is unreachable, or its
 * numbering was reset). Nothing was applied because of the failed step; the message is fit for
 * a client's {@code STORE_UNAVAILABLE} and never holds a password.
 */
public final class LedgerException extends Exception {
    private static final long serialVersionUID = 1L;

    public LedgerException(String message) {
        super(message);
    }
}
