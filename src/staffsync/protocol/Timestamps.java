package staffsync.protocol;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The server's own timestamps (message {@code timestamp}s, and rows in the memory and file
 * stores): ISO-8601 UTC with milliseconds, e.g. 2026-11-25T20:00:00.000Z. Rows from Supabase keep
 * the database's microseconds instead (see store/supabase/RowJson).
 */
public final class Timestamps {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {}

    public static String format(Instant instant) {
        return FORMAT.format(instant);
    }

    public static String now() {
        return format(Instant.now());
    }
}
