package staffsync.hub;

/**
 * What the hub publishes for other threads to read (health, metrics, the sequence number that
 * non-event replies carry). Immutable; the hub replaces it after each event.
 *
 * @param running  the hub thread is taking events
 * @param loaded   the store has reported its contents
 * @param sequence the last event sequence number broadcast
 */
public record HubStatus(boolean running, boolean loaded, int connections, String epoch, long sequence, int rows) {}
