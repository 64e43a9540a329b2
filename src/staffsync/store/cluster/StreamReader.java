package staffsync.store.cluster;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;
import staffsync.protocol.ChangeEvent;
import staffsync.redis.RespConnection;

/**
 * The thread that brings the shared stream to this instance: it waits in {@code XREAD BLOCK}
 * for the events after the last one delivered and hands them over in order. It notices when
 * Redis holds another epoch (it restarted empty, or lost its data) or when the stream no
 * longer holds the next event (this instance was cut off longer than the stream is long), and
 * then reloads a snapshot instead of skipping anything. It reconnects by itself, with a backoff.
 *
 * <p>Concurrency: its backoff belongs to its own thread; its connection too, except that
 * {@link #stop} may close it from another thread to end a blocked read at once (hence volatile).
 * Everything else goes through {@link Deliveries}.
 */
final class StreamReader implements Runnable {
    private static final Logger LOG = Logger.getLogger(StreamReader.class.getName());
    /** How long one XREAD waits in Redis; also how often an idle reader checks the epoch. */
    static final long BLOCK_MS = 1000;
    private static final long FIRST_PAUSE_MS = 100;
    private static final long LONGEST_PAUSE_MS = 2000;

    /** Where the events go: the ledger. */
    interface Deliveries {
        /** The sequence of the last event delivered in the current epoch. */
        long lastSequence();

        /** The epoch delivered from. */
        String epoch();

        /** Hands one event over; false when it is not the next one (a gap). */
        boolean deliver(ChangeEvent event);

        /** Loads Redis's current state (a new epoch when it has none) and hands it over whole. */
        void reload() throws IOException;

        /** What is wrong with reading, or null when it works. */
        void readingProblem(String problem);

        boolean closed();
    }

    private final SharedLog log;
    private final Deliveries deliveries;
    private volatile RespConnection connection;

    StreamReader(SharedLog log, Deliveries deliveries) {
        this.log = log;
        this.deliveries = deliveries;
    }

    /** Ends a blocked read now (the caller has already made {@link Deliveries#closed} true). */
    void stop() {
        RespConnection current = connection;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public void run() {
        long pauseMs = FIRST_PAUSE_MS;
        while (!deliveries.closed()) {
            try {
                if (connection == null) {
                    connection = log.connectReader();
                    reloadIfEpochChanged();
                }
                List<ChangeEvent> events = log.readAfter(connection, deliveries.lastSequence(), BLOCK_MS);
                if (events.isEmpty()) {
                    reloadIfEpochChanged();
                }
                for (ChangeEvent event : events) {
                    if (!deliveries.deliver(event)) {
                        LOG.warning("the shared stream no longer holds event " + (deliveries.lastSequence() + 1)
                                + " (it has " + event.sequence() + "): reloading the shared state");
                        deliveries.reload();
                        break;
                    }
                }
                deliveries.readingProblem(null);
                pauseMs = FIRST_PAUSE_MS;
            } catch (IOException | RuntimeException e) {
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
                if (deliveries.closed()) {
                    break;
                }
                deliveries.readingProblem("reading the shared stream failed: " + e.getMessage());
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException interrupted) {
                    break;
                }
                pauseMs = Math.min(pauseMs * 2, LONGEST_PAUSE_MS);
            }
        }
        RespConnection last = connection;
        if (last != null) {
            last.close();
        }
    }

    private void reloadIfEpochChanged() throws IOException {
        String current = log.epoch();
        if (!Objects.equals(current, deliveries.epoch())) {
            LOG.warning(current == null ? "Redis has lost the shared state (no epoch): starting a new epoch from the table"
                    : "Redis holds another epoch (" + current + "): reloading");
            deliveries.reload();
        }
    }
}
