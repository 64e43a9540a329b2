package staffsync.redis;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import javax.net.ssl.SSLSocketFactory;

/**
 * A Redis client for many threads: each call borrows a connection from a small pool of idle
 * ones (opening a new one when none is idle), and returns it afterwards. A connection that
 * failed is closed, never reused, so after a Redis restart the next call simply connects again.
 *
 * <p>Every round trip, and every connection opened, is told to a {@link RedisObserver} (the
 * /metrics counters).
 *
 * <p>Concurrency: the idle queue is the only shared state (a thread-safe queue); a borrowed
 * connection belongs to its borrower until it is returned. The observer is thread-safe.
 */
public final class Redis implements AutoCloseable {
    private static final int MAX_IDLE = 8;

    private final RedisUrl url;
    private final Duration timeout;
    private final SSLSocketFactory tls;
    private final BlockingQueue<RespConnection> idle = new ArrayBlockingQueue<>(MAX_IDLE);
    private final RedisObserver observer;
    private volatile boolean closed;

    /** @param tls the factory for {@code rediss://}; {@code (SSLSocketFactory) SSLSocketFactory.getDefault()} normally */
    public Redis(RedisUrl url, Duration timeout, SSLSocketFactory tls) {
        this(url, timeout, tls, RedisObserver.NONE);
    }

    public Redis(RedisUrl url, Duration timeout, SSLSocketFactory tls, RedisObserver observer) {
        this.url = url;
        this.timeout = timeout;
        this.tls = tls;
        this.observer = observer;
    }

    public RedisUrl url() {
        return url;
    }

    /** A connection of its own, for a caller that blocks in Redis (XREAD BLOCK); the caller closes it. */
    public RespConnection connect() throws IOException {
        long start = System.nanoTime();
        try {
            RespConnection connection = RespConnection.open(url, timeout, tls);
            observer.roundTrip("connect", RedisObserver.OK, System.nanoTime() - start);
            return connection;
        } catch (RedisReplyException e) {
            observer.roundTrip("connect", RedisObserver.ERROR_REPLY, System.nanoTime() - start); // AUTH or SELECT refused
            throw e;
        } catch (IOException | RuntimeException e) {
            observer.roundTrip("connect", RedisObserver.IO_ERROR, System.nanoTime() - start);
            throw e;
        }
    }

    /** One command; its reply as {@link RespConnection} describes. */
    public Object call(String... command) throws IOException {
        return roundTrip(command[0].toUpperCase(Locale.ROOT), connection -> connection.call(command));
    }

    /** Several commands in one round trip; their replies in order. */
    public List<Object> pipeline(List<String[]> commands) throws IOException {
        return roundTrip("pipeline", connection -> connection.pipeline(commands));
    }

    private interface Exchange<T> {
        T with(RespConnection connection) throws IOException;
    }

    /** Borrows a connection for one exchange and tells the observer how it went (opening excluded). */
    private <T> T roundTrip(String name, Exchange<T> exchange) throws IOException {
        RespConnection connection = borrow();
        long start = System.nanoTime();
        try {
            T reply = exchange.with(connection);
            observer.roundTrip(name, RedisObserver.OK, System.nanoTime() - start);
            giveBack(connection);
            return reply;
        } catch (RedisReplyException e) {
            observer.roundTrip(name, RedisObserver.ERROR_REPLY, System.nanoTime() - start);
            giveBack(connection); // the reply was read whole: the connection is fine
            throw e;
        } catch (IOException | RuntimeException e) {
            observer.roundTrip(name, RedisObserver.IO_ERROR, System.nanoTime() - start);
            connection.close();
            throw e;
        }
    }

    /**
     * Runs a script by its hash; if this Redis does not have it cached (first use, a restart,
     * SCRIPT FLUSH), sends its source once with EVAL, which caches it again.
     */
    public Object eval(Script script, List<String> keys, List<String> args) throws IOException {
        String name = "script:" + script.name();
        try {
            return roundTrip(name, connection -> connection.call(command("EVALSHA", script.sha1(), keys, args)));
        } catch (RedisReplyException e) {
            if (!e.prefix().equals("NOSCRIPT")) {
                throw new RedisReplyException("script " + script.name() + ": " + e.getMessage());
            }
        }
        try {
            return roundTrip(name, connection -> connection.call(command("EVAL", script.source(), keys, args)));
        } catch (RedisReplyException e) {
            throw new RedisReplyException("script " + script.name() + ": " + e.getMessage());
        }
    }

    private static String[] command(String verb, String script, List<String> keys, List<String> args) {
        List<String> parts = new ArrayList<>(3 + keys.size() + args.size());
        parts.add(verb);
        parts.add(script);
        parts.add(Integer.toString(keys.size()));
        parts.addAll(keys);
        parts.addAll(args);
        return parts.toArray(String[]::new);
    }

    private RespConnection borrow() throws IOException {
        if (closed) {
            throw new IOException("the Redis client is closed");
        }
        RespConnection connection = idle.poll();
        return connection != null ? connection : connect(); // connect() tells the observer
    }

    private void giveBack(RespConnection connection) {
        if (closed || !idle.offer(connection)) {
            connection.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        RespConnection connection;
        while ((connection = idle.poll()) != null) {
            connection.close();
        }
    }
}
