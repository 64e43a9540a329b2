package staffsync.hub;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import staffsync.metrics.Metrics;
import staffsync.protocol.RowBytes;

/**
 * Rows as JSON bytes, {@value #CHUNK_ROWS} rows of a page at a time, shared by every reply that
 * writes them. A chunk is encoded once and then reused by every requester that reaches it while
 * it is in this cache, whatever the sequence number it asked at: pages never change, and a
 * chunk is keyed by its page's identity, so a cached chunk is never stale. The cache holds at
 * most {@code capacityBytes}, least recently used out first; a reply that finds its chunk gone
 * encodes it again (the bytes come out the same).
 *
 * <p>Thread-safety: used by the writer threads and the hub. The map and its byte count are
 * guarded by this object's monitor; encoding happens outside it.
 */
final class EncodedRows {
    /**
     * Rows per chunk, and so per piece of a reply (one WebSocket frame, about 50 KB of 200-character
     * rows). Each piece costs a few small objects (buffer views, a frame header) however many rows it
     * holds: at 16 rows they were about a third of a sync storm's garbage, and the storm had 10-11
     * young collections in 20 s; at 64, 7-8 (docs/benchmarks.md, "The storm measured apart from its
     * clients"). A page holds at most 128 rows, so a chunk is half a page or a whole one.
     */
    static final int CHUNK_ROWS = 64;

    /**
     * Some rows' JSON, joined by commas: row {@code i} (counted from the chunk's first) ends at
     * {@code ends[i]}, and the next one starts after the comma.
     */
    record Chunk(byte[] json, int[] ends) {
        /** Rows {@code from} to {@code to} (exclusive), with the commas between them. */
        ByteBuffer slice(int from, int to) {
            int start = from == 0 ? 0 : ends[from - 1] + 1;
            return ByteBuffer.wrap(json, start, ends[to - 1] - start).slice().asReadOnlyBuffer();
        }
    }

    private record Key(SortedRows.Page page, int chunk) {}

    private final long capacityBytes;
    private final Metrics metrics;
    /** Guarded by this. Access order: the eldest entry is the least recently used. */
    private final LinkedHashMap<Key, Chunk> cache = new LinkedHashMap<>(256, 0.75f, true);
    /** Guarded by this. */
    private long cachedBytes;

    EncodedRows(long capacityBytes, Metrics metrics) {
        this.capacityBytes = capacityBytes;
        this.metrics = metrics;
    }

    /** Chunk {@code index} of the page: rows {@code index * CHUNK_ROWS} onwards, at most CHUNK_ROWS of them. */
    Chunk chunk(SortedRows.Page page, int index) {
        Key key = new Key(page, index);
        synchronized (this) {
            Chunk cached = cache.get(key);
            if (cached != null) {
                metrics.replyChunkReused();
                return cached;
            }
        }
        Chunk encoded = encode(page, index);
        metrics.replyChunkEncoded();
        synchronized (this) {
            if (encoded.json().length <= capacityBytes && cache.putIfAbsent(key, encoded) == null) {
                cachedBytes += encoded.json().length;
                Iterator<Map.Entry<Key, Chunk>> eldest = cache.entrySet().iterator();
                while (cachedBytes > capacityBytes) {
                    cachedBytes -= eldest.next().getValue().json().length;
                    eldest.remove();
                }
            }
        }
        return encoded;
    }

    private static Chunk encode(SortedRows.Page page, int index) {
        int from = index * CHUNK_ROWS;
        int to = Math.min(page.size(), from + CHUNK_ROWS);
        int length = to - from - 1;
        for (int i = from; i < to; i++) {
            length += RowBytes.length(page.row(i));
        }
        RowBytes json = new RowBytes(length);
        int[] ends = new int[to - from];
        for (int i = from; i < to; i++) {
            if (i > from) {
                json.comma();
            }
            json.row(page.row(i));
            ends[i - from] = json.size();
        }
        return new Chunk(json.toArray(), ends);
    }
}
