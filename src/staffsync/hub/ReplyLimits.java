package staffsync.hub;

/**
 * How much memory large replies may hold, and how many requests a connection may have waiting.
 * A quarter of {@code memoryBytes} caches encoded rows for every reply to share (replies that
 * travel together need only a few megabytes of it, see {@link Convoy}; a larger cache mostly
 * keeps chunks nobody will read again, which the garbage collector then has to move); the rest
 * is room for replies in progress, {@value #BYTES_PER_REPLY} bytes each: the pieces one has in
 * flight (at most 64 KiB, plus the chunks of rows they are cut from).
 */
public record ReplyLimits(long memoryBytes, int waitingPerConnection) {
    static final long BYTES_PER_REPLY = 384 * 1024;
    /** The defaults of REPLY_MEMORY_BYTES and MAX_PENDING_PER_CONNECTION. */
    public static final ReplyLimits DEFAULT = new ReplyLimits(32L * 1024 * 1024, 1_000);

    long chunkCacheBytes() {
        return memoryBytes / 4;
    }

    int repliesAtOnce() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (memoryBytes - chunkCacheBytes()) / BYTES_PER_REPLY));
    }
}
