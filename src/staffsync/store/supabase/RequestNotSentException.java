package staffsync.store.supabase;

import java.io.IOException;

/** No connection to Supabase could be made, so the request was certainly not received. */
final class RequestNotSentException extends IOException {
    private static final long serialVersionUID = 1L;

    RequestNotSentException(String message, Throwable cause) {
        super(message, cause);
    }
}
