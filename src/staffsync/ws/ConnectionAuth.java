package staffsync.ws;

import java.util.concurrent.ScheduledFuture;
import staffsync.auth.VerifiedToken;

/**
 * One connection's authentication state with AUTH_MODE=jwt: the token it holds and the one
 * timer that may close it (the AUTH_TIMEOUT_MS deadline before the first token, the token's
 * expiry after). A plain holder: {@link AccessControl} reads and changes it.
 *
 * <p>Guarded by this object's monitor. Its writers are the worker handling the connection's AUTH,
 * the HTTP client thread finishing a JWKS fetch, the ws-timers thread and onClose. Never send or
 * close a socket while holding it: the library calls onClose holding the socket's monitor, and
 * onClose takes this one.
 */
final class ConnectionAuth {
    /** The newest accepted token; null until the first. */
    VerifiedToken token;
    /** The deadline or expiry closing the connection; null when none. */
    ScheduledFuture<?> timer;
    /** Closed, or being closed, for an auth reason: nothing more may change. */
    boolean ended;
    /** AUTH messages received, numbering them; and the number of the one whose token is held. */
    long attempts;
    long appliedAttempt;

    void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
