package staffsync.auth;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The project's signing keys, fetched from its JWKS URL with the JDK's HttpClient: at start,
 * every {@value #REFRESH_MINUTES} minutes after (every {@value #RETRY_SECONDS} s while fetches
 * fail), and when a token names a key id not held, but such on-demand fetches at most once per
 * {@value #ON_DEMAND_INTERVAL_SECONDS} s, so a flood of made-up key ids costs the JWKS host
 * nothing. A failed fetch keeps the keys already held: tokens they signed still verify.
 *
 * <p>Never blocks a caller: fetches are asynchronous and callers get a future. Thread-safety:
 * the key list and status are immutable values behind volatile fields, replaced whole by the
 * thread completing a fetch; {@link #inFlight} and {@link #lastOnDemandNanos} are guarded by
 * {@code this}.
 */
final class JwksCache {
    private static final Logger LOG = Logger.getLogger(JwksCache.class.getName());
    static final int REFRESH_MINUTES = 10;
    static final int RETRY_SECONDS = 30;
    static final int ON_DEMAND_INTERVAL_SECONDS = 30;
    /** A JWKS holds a handful of keys; a body this large is not one. */
    static final int MAX_BODY_CHARS = 1024 * 1024;

    /** Told about every fetch, so /metrics can count them. */
    interface FetchObserver {
        void fetched(boolean ok);
    }

    private final URI url;
    private final HttpClient http;
    private final Duration timeout;
    private final LongSupplier nanoClock;
    private final FetchObserver observer;

    private volatile List<VerificationKey> keys = List.of();
    /** Counts changes of the key set (written by the thread completing a fetch). */
    private volatile long generation;
    private volatile JwksStatus status;

    // ---- guarded by this ----
    private CompletableFuture<Void> inFlight;
    private long lastOnDemandNanos;
    private boolean onDemandEver;

    JwksCache(URI url, HttpClient http, Duration timeout, LongSupplier nanoClock, FetchObserver observer) {
        this.url = url;
        this.http = http;
        this.timeout = timeout;
        this.nanoClock = nanoClock;
        this.observer = observer;
        this.status = new JwksStatus(url.toString(), 0, null, "not fetched yet");
    }

    /**
     * Fetches now, then keeps the keys fresh; returns the first fetch. The refreshes wait on the
     * JDK's own delay scheduler (a daemon thread shared by every CompletableFuture), so the
     * cache owns no thread to stop.
     */
    CompletableFuture<Void> start() {
        return fetch().whenComplete((ignored, error) -> scheduleRefresh());
    }

    private void scheduleRefresh() {
        long delaySeconds = status.lastError() == null ? TimeUnit.MINUTES.toSeconds(REFRESH_MINUTES) : RETRY_SECONDS;
        CompletableFuture.delayedExecutor(delaySeconds, TimeUnit.SECONDS)
                .execute(() -> fetch().whenComplete((ignored, error) -> scheduleRefresh()));
    }

    List<VerificationKey> keys() {
        return keys;
    }

    /** Changes whenever the key set does: what a verification was made with. */
    long generation() {
        return generation;
    }

    JwksStatus status() {
        return status;
    }

    /**
     * A token named a key id that is not held: fetch again, unless an on-demand fetch started
     * less than {@value #ON_DEMAND_INTERVAL_SECONDS} s ago. Returns the fetch to wait for (one
     * already running is shared), or null when none is allowed now.
     */
    synchronized CompletableFuture<Void> refetchForUnknownKey() {
        if (inFlight != null) {
            return inFlight;
        }
        long now = nanoClock.getAsLong();
        if (onDemandEver && now - lastOnDemandNanos < TimeUnit.SECONDS.toNanos(ON_DEMAND_INTERVAL_SECONDS)) {
            return null;
        }
        onDemandEver = true;
        lastOnDemandNanos = now;
        return fetch();
    }

    /** Starts a fetch, or returns the one running. The future completes (never exceptionally) when it is over. */
    synchronized CompletableFuture<Void> fetch() {
        if (inFlight != null) {
            return inFlight;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        inFlight = done;
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Accept", "application/json").GET().build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            record(response, error);
            synchronized (this) {
                inFlight = null;
            }
            done.complete(null);
        });
        return done;
    }

    private void record(HttpResponse<String> response, Throwable error) {
        String failure;
        JwkSet set = null;
        if (error != null) {
            failure = describe(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
        } else if (response.statusCode() != 200) {
            failure = "HTTP " + response.statusCode() + " from " + url;
        } else if (response.body().length() > MAX_BODY_CHARS) {
            failure = "the JWKS at " + url + " is larger than " + MAX_BODY_CHARS + " characters";
        } else {
            try {
                set = JwkSet.parse(response.body());
                failure = null;
            } catch (IllegalArgumentException e) {
                failure = e.getMessage() + " (" + url + ")";
            }
        }
        observer.fetched(failure == null);
        JwksStatus before = status;
        if (failure != null) {
            status = new JwksStatus(before.url(), before.keys(), before.fetchedAt(), failure);
            LOG.warning("could not fetch the JWKS: " + failure + "; keeping the " + before.keys() + " key(s) held");
            return;
        }
        if (!set.keys().equals(keys)) {
            keys = set.keys();
            generation++; // only this thread writes it: one fetch at a time
        }
        status = new JwksStatus(before.url(), set.keys().size(), Instant.now(), null);
        if (before.keys() != set.keys().size() || before.lastError() != null) {
            LOG.info("JWKS fetched from " + url + ": " + set.keys().size() + " usable key(s) " + kids(set.keys()));
        }
        for (String skipped : set.skipped()) {
            LOG.warning("JWKS key skipped: " + skipped);
        }
    }

    private String describe(Throwable error) {
        if (error instanceof HttpTimeoutException) {
            return "no answer from " + url + " within " + timeout.toMillis() + " ms";
        }
        if (error instanceof ConnectException) {
            return "could not connect to " + url;
        }
        if (error instanceof IOException) {
            return "I/O error talking to " + url + ": " + error.getClass().getSimpleName();
        }
        return "failed to fetch " + url + ": " + error.getClass().getSimpleName();
    }

    private static String kids(List<VerificationKey> keys) {
        StringBuilder out = new StringBuilder("[");
        for (VerificationKey key : keys) {
            out.append(out.length() == 1 ? "" : ", ").append(key.kid()).append(' ').append(key.alg());
        }
        return out.append(']').toString();
    }
}
