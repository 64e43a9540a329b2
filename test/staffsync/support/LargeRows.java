package staffsync.support;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rows whose text fields are at their full length (200 characters), created through a real
 * client, for the tests of replies of any size. The text holds a quote, accented letters and an
 * emoji, so escaping and multi-byte UTF-8 are on every row of a reply.
 */
public final class LargeRows {
    /** 200 code points: the longest name, position or department a row may have. */
    public static final String TEXT = padded("Staff \"Ä\" 🙂 Ünïcødé ", 200);
    /** Changes per round trip: their broadcasts (about 100 KB) stay under a 256 KiB slow-consumer bound. */
    private static final int BATCH = 100;

    /** How long a test waits for a message of many megabytes: decoding one is slow on a busy machine. */
    public static final Duration SLOW = Duration.ofSeconds(120);

    private LargeRows() {}

    /** The client's next message, which must be of the given type, waiting up to {@link #SLOW}. */
    public static JsonObject nextLarge(WsClient client, String type) {
        JsonObject message = JsonParser.parseString(client.nextText(SLOW)).getAsJsonObject();
        if (!Json.type(message).equals(type)) {
            throw new AssertionError("expected a " + type + ", got " + Json.type(message));
        }
        return message;
    }

    /** Settings that let one test client write as fast as the server takes it. */
    public static Map<String, String> fastWriter() {
        return Map.of("RATE_LIMIT_PER_SECOND", "1000000", "RATE_LIMIT_BURST", "1000000",
                "MAX_PENDING_PER_CONNECTION", "100000", "MAX_WRITES_PER_SECOND", "1000000");
    }

    public static String id(int index) {
        return String.format("row-%05d", index);
    }

    /** Creates rows {@code id(0) .. id(count - 1)}, row i in period {@code i % periods}; waits for every broadcast. */
    public static void create(WsClient writer, int count, int periods) {
        for (int from = 0; from < count; from += BATCH) {
            int to = Math.min(count, from + BATCH);
            for (int i = from; i < to; i++) {
                writer.send("STAFF_CREATE", "{\"staff\":{\"id\":\"" + id(i) + "\",\"name\":" + Json.quote(TEXT)
                        + ",\"position\":" + Json.quote(TEXT) + ",\"department\":" + Json.quote(TEXT)
                        + ",\"period\":" + (i % periods) + "}}");
            }
            for (int i = from; i < to; i++) {
                writer.next("STAFF_CREATE"); // the writer is the only one writing
            }
        }
    }

    /**
     * Updates rows {@code id(i % rows)} for i below {@code count}, setting position to
     * {@code position + i}; returns the broadcasts as the writer received them (in sequence
     * order, which for different rows need not be the order sent).
     */
    public static List<String> update(WsClient writer, int rows, int count, String position) {
        List<String> events = new ArrayList<>();
        for (int from = 0; from < count; from += BATCH) {
            int to = Math.min(count, from + BATCH);
            for (int i = from; i < to; i++) {
                writer.send("STAFF_UPDATE", "{\"staffId\":\"" + id(i % rows) + "\",\"changes\":{\"position\":"
                        + Json.quote(position + i) + "}}");
            }
            for (int i = from; i < to; i++) {
                events.add(writer.nextText("STAFF_UPDATE"));
            }
        }
        return events;
    }

    /** The ids of a row array, failing on a duplicate or a row whose text is not whole. */
    public static Set<String> checkedIds(JsonArray rows) {
        Set<String> ids = new HashSet<>();
        for (JsonElement element : rows) {
            JsonObject row = element.getAsJsonObject();
            if (!row.get("name").getAsString().equals(TEXT) || !row.get("department").getAsString().equals(TEXT)) {
                throw new AssertionError("row text changed on the way: " + row);
            }
            if (!ids.add(row.get("id").getAsString())) {
                throw new AssertionError("row sent twice: " + row.get("id"));
            }
        }
        return ids;
    }

    private static String padded(String start, int codePoints) {
        StringBuilder text = new StringBuilder(start);
        while (text.codePointCount(0, text.length()) < codePoints) {
            text.append((char) ('a' + text.length() % 26));
        }
        return text.toString();
    }
}
