package staffsync.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A log-linear histogram of non-negative longs (the bench records microseconds): exact below
 * 256, then 128 sub-buckets per power of two, so every value is kept within 0.8%. Fixed size,
 * no allocation when recording; one per load-generator thread, merged at the end.
 */
final class Histogram {
    private static final int SUB = 128;
    private static final int LINEAR = 256;
    private static final int BUCKETS = LINEAR + (63 - 8) * SUB;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;

    void record(long value) {
        if (value < 0) {
            value = 0;
        }
        counts[index(value)]++;
        total++;
        if (value > max) {
            max = value;
        }
    }

    void add(Histogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /** The value at quantile q (0..1): the upper edge of the bucket holding it, capped at the max. */
    long quantile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, upper(i));
            }
        }
        return max;
    }

    /** The usual summary, in milliseconds. */
    Map<String, Double> summaryMillis() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("p50", quantile(0.50) / 1000.0);
        out.put("p90", quantile(0.90) / 1000.0);
        out.put("p99", quantile(0.99) / 1000.0);
        out.put("p99.9", quantile(0.999) / 1000.0);
        out.put("max", max / 1000.0);
        return out;
    }

    private static int index(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v); // >= 8
        int shift = msb - 7;
        return LINEAR + (msb - 8) * SUB + (int) ((v >>> shift) - SUB);
    }

    private static long upper(int index) {
        if (index < LINEAR) {
            return index;
        }
        int msb = (index - LINEAR) / SUB + 8;
        int sub = (index - LINEAR) % SUB + SUB;
        int shift = msb - 7;
        return ((long) (sub + 1) << shift) - 1;
    }
}
