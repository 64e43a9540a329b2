package staffsync.store;

/**
 * @param latencyMs the last probe's or write's round trip, or null when not measured
 * @param lastError the last failure, never containing a key or token; null when none
 */
public record StoreHealth(String kind, boolean reachable, Long latencyMs, String lastError) {}
