package staffsync.ws;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import staffsync.ws.library.HandshakeCheck;
import staffsync.ws.library.HandshakeRefusal;
import staffsync.ws.library.HandshakeRequest;

/**
 * {@code MAX_CONNECTIONS} and {@code MAX_CONNECTIONS_PER_IP}: an upgrade request over either is
 * answered {@code 503 Service Unavailable} with {@code Retry-After}, before it costs more than
 * its socket. Every connection holds a descriptor; the bound keeps the process below its
 * open-files limit (see Config.defaultMaxConnections), so the store, the HTTP port and the log
 * always have theirs.
 *
 * <p>A request that passes takes its place at once (a compare-and-set, so concurrent handshakes
 * cannot race past the bound) and holds it until its socket closes, when
 * the library's server calls {@link #released}. Only a request that passes every
 * check may hold a place, which is why this check is the last in the list.
 *
 * <p>Thread-safety: lock-free counters; checks run on many worker threads at once.
 */
final class ConnectionLimit implements HandshakeCheck {
    /** Seconds a refused client is asked to wait; long enough for a place to free up. */
    static final int RETRY_AFTER_SECONDS = 10;

    private final int maxConnections;
    /** 0: no per-address limit. */
    private final int maxPerAddress;
    private final AtomicInteger connections = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> byAddress = new ConcurrentHashMap<>();

    ConnectionLimit(int maxConnections, int maxPerAddress) {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
    }

    @Override
    public HandshakeRefusal check(HandshakeRequest request) {
        int now;
        do {
            now = connections.get();
            if (now >= maxConnections) {
                return refusal("the server holds its maximum of " + maxConnections + " connections (MAX_CONNECTIONS)");
            }
        } while (!connections.compareAndSet(now, now + 1));
        InetAddress address = addressOf(request);
        if (maxPerAddress > 0 && address != null && !takePlaceFor(address)) {
            connections.decrementAndGet();
            return refusal("this address holds its maximum of " + maxPerAddress
                    + " connections (MAX_CONNECTIONS_PER_IP)");
        }
        return null;
    }

    /** The socket of a request that passed has closed: its place is free again. */
    @Override
    public void released(HandshakeRequest request) {
        connections.decrementAndGet();
        InetAddress address = addressOf(request);
        if (maxPerAddress > 0 && address != null) {
            byAddress.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
        }
    }

    private boolean takePlaceFor(InetAddress address) {
        boolean[] taken = {false};
        byAddress.compute(address, (key, count) -> {
            int held = count == null ? 0 : count;
            if (held >= maxPerAddress) {
                return count;
            }
            taken[0] = true;
            return held + 1;
        });
        return taken[0];
    }

    private static InetAddress addressOf(HandshakeRequest request) {
        return request.remote() == null ? null : request.remote().getAddress();
    }

    private static HandshakeRefusal refusal(String reason) {
        return HandshakeRefusal.of(503, reason + "; try again later")
                .withHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
    }
}
