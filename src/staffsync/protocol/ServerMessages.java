package staffsync.protocol;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Writes every server-to-client message. Written by hand with gson's streaming writer, not by
 * reflection, so the bytes on the wire are exactly what this file says and cheap to produce:
 * the hub encodes each event once and sends the same bytes to every client.
 */
public final class ServerMessages {
    public static final int PROTOCOL_VERSION = 1;
    public static final String SERVER_CLIENT_ID = "server";

    private ServerMessages() {}

    /** The broadcast of a committed change. Deterministic: the same event gives the same bytes. */
    public static String event(ChangeEvent event) {
        Origin origin = event.origin() != null ? event.origin() : Origin.SERVER;
        return envelope(event.kind().messageType, event.timestamp(), origin.clientId(), event.sequence(),
                origin.clientSequence(), out -> {
                    StaffRow row = event.row();
                    switch (event.kind()) {
                        case CREATE -> row(out, row);
                        case UPDATE -> {
                            out.beginObject();
                            out.name("staffId").value(row.id());
                            out.name("changes").beginObject();
                            for (String field : event.changedFields()) {
                                field(out, row, field);
                            }
                            out.name("version").value(row.version());
                            out.name("updated_at").value(row.updatedAt());
                            out.endObject();
                            out.name("version").value(row.version());
                            out.name("staff");
                            row(out, row);
                            out.endObject();
                        }
                        case DELETE -> {
                            out.beginObject();
                            out.name("staffId").value(row.id());
                            out.name("version").value(row.version());
                            out.endObject();
                        }
                    }
                });
    }

    public static String connectionAck(String connectionId, String epoch, long sequence, String serverVersion) {
        return envelope(MessageType.CONNECTION_ACK, Timestamps.now(), SERVER_CLIENT_ID, sequence, null, out -> {
            out.beginObject();
            out.name("connectionId").value(connectionId);
            out.name("epoch").value(epoch);
            out.name("sequenceNumber").value(sequence);
            out.name("protocolVersion").value(PROTOCOL_VERSION);
            out.name("serverVersion").value(serverVersion);
            out.endObject();
        });
    }

    /** An ERROR; {@code current} is the stored row for VERSION_CONFLICT, else null. */
    public static String error(ErrorCode code, String message, String staffId, StaffRow current,
                               long sequence, Long inReplyTo) {
        return envelope(MessageType.ERROR, Timestamps.now(), SERVER_CLIENT_ID, sequence, inReplyTo, out -> {
            out.beginObject();
            out.name("code").value(code.name());
            out.name("message").value(message);
            if (staffId != null) {
                out.name("staffId").value(staffId);
            }
            if (current != null) {
                out.name("current");
                row(out, current);
            }
            out.endObject();
        });
    }

    /** The answer to a valid AUTH; {@code subject} and {@code expiresAt} are null when authentication is off. */
    public static String authOk(String role, String subject, String expiresAt, long sequence, Long inReplyTo) {
        return envelope(MessageType.AUTH_OK, Timestamps.now(), SERVER_CLIENT_ID, sequence, inReplyTo, out -> {
            out.beginObject();
            out.name("role").value(role);
            out.name("subject").value(subject); // JsonWriter writes null as null
            out.name("expiresAt").value(expiresAt);
            out.endObject();
        });
    }

    public static String pong(String payloadJson, long sequence, Long inReplyTo) {
        return envelope(MessageType.PONG, Timestamps.now(), SERVER_CLIENT_ID, sequence, inReplyTo,
                out -> out.jsonValue(payloadJson));
    }

    /** A snapshot; {@code period} null means every row. */
    public static String snapshot(Collection<StaffRow> rows, Long period, long sequence, Long inReplyTo) {
        return envelope(MessageType.SYNC_RESPONSE, Timestamps.now(), SERVER_CLIENT_ID, sequence, inReplyTo, out -> {
            out.beginObject();
            out.name("staff");
            rows(out, rows);
            if (period != null) {
                out.name("period").value(period);
            }
            out.name("sequenceNumber").value(sequence);
            out.endObject();
        });
    }

    /**
     * A message whose rows are written later, piece by piece (a large snapshot): the JSON that
     * goes before them and the JSON that goes after. {@link #snapshot} with the rows between
     * {@code before} and {@code after}, each row as {@link #rowJson} and joined by commas, is the
     * same message.
     */
    public record Enclosure(String before, String after) {}

    /** {@link #snapshot} around its rows; the {@code before} part is the same for every snapshot. */
    public static Enclosure snapshotAround(Long period, long sequence, Long inReplyTo) {
        return split(snapshot(List.of(), period, sequence, inReplyTo), "[]");
    }

    /**
     * {@link #allPeriods} around its periods ({@code "0":[rows],"1":[rows]}); the {@code before}
     * part is the same whatever the number of periods.
     */
    public static Enclosure allPeriodsAround(int totalPeriods, long sequence, Long inReplyTo) {
        return split(envelope(MessageType.SYNC_ALL_PERIODS_RESPONSE, Timestamps.now(), SERVER_CLIENT_ID, sequence,
                inReplyTo, out -> {
                    out.beginObject();
                    out.name("periods").beginObject().endObject();
                    out.name("totalPeriods").value(totalPeriods);
                    out.name("sequenceNumber").value(sequence);
                    out.endObject();
                }), "{}");
    }

    /**
     * Splits a message at its first empty array or object (the rows' place: nothing before it in
     * these messages holds brackets or braces next to each other).
     */
    private static Enclosure split(String message, String empty) {
        int at = message.indexOf(empty) + 1;
        return new Enclosure(message.substring(0, at), message.substring(at));
    }

    /** One row as JSON text, exactly as it appears inside any message. */
    public static String rowJson(StaffRow row) {
        StringWriter text = new StringWriter(512);
        try (JsonWriter out = new JsonWriter(text)) {
            out.setHtmlSafe(false);
            row(out, row);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a StringWriter cannot fail", e);
        }
        return text.toString();
    }

    /** Ends a replay: the {@code replayed} events before it were re-sent unchanged. */
    public static String replayDone(int replayed, long sequence, Long inReplyTo) {
        return envelope(MessageType.SYNC_RESPONSE, Timestamps.now(), SERVER_CLIENT_ID, sequence, inReplyTo, out -> {
            out.beginObject();
            out.name("replayed").value(replayed);
            out.name("sequenceNumber").value(sequence);
            out.endObject();
        });
    }

    public static String allPeriods(SortedMap<Long, ? extends Collection<StaffRow>> periods, long sequence,
                                    Long inReplyTo) {
        return envelope(MessageType.SYNC_ALL_PERIODS_RESPONSE, Timestamps.now(), SERVER_CLIENT_ID, sequence,
                inReplyTo, out -> {
                    out.beginObject();
                    out.name("periods").beginObject();
                    for (Map.Entry<Long, ? extends Collection<StaffRow>> entry : periods.entrySet()) {
                        out.name(Long.toString(entry.getKey()));
                        rows(out, entry.getValue());
                    }
                    out.endObject();
                    out.name("totalPeriods").value(periods.size());
                    out.name("sequenceNumber").value(sequence);
                    out.endObject();
                });
    }

    // ---- building blocks ----

    private interface PayloadWriter {
        void write(JsonWriter out) throws IOException;
    }

    private static String envelope(MessageType type, String timestamp, String clientId, long sequence,
                                   Long inReplyTo, PayloadWriter payload) {
        StringWriter text = new StringWriter(256);
        try (JsonWriter out = new JsonWriter(text)) {
            out.setHtmlSafe(false);
            out.beginObject();
            out.name("type").value(type.wire());
            out.name("payload");
            payload.write(out);
            out.name("timestamp").value(timestamp);
            out.name("clientId").value(clientId);
            out.name("sequenceNumber").value(sequence);
            if (inReplyTo != null) {
                out.name("inReplyTo").value(inReplyTo);
            }
            out.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a StringWriter cannot fail", e);
        }
        return text.toString();
    }

    private static void rows(JsonWriter out, Collection<StaffRow> rows) throws IOException {
        out.beginArray();
        for (StaffRow row : rows) {
            row(out, row);
        }
        out.endArray();
    }

    /** A row with the database's column names as keys. */
    public static void row(JsonWriter out, StaffRow row) throws IOException {
        out.beginObject();
        out.name("id").value(row.id());
        out.name("name").value(row.name());
        out.name("position").value(row.position());
        out.name("department").value(row.department());
        out.name("type").value(row.type());
        out.name("period").value(row.period());
        out.name("version").value(row.version());
        out.name("created_at").value(row.createdAt());
        out.name("updated_at").value(row.updatedAt());
        out.endObject();
    }

    private static void field(JsonWriter out, StaffRow row, String field) throws IOException {
        out.name(field);
        switch (field) {
            case "name" -> out.value(row.name());
            case "position" -> out.value(row.position());
            case "department" -> out.value(row.department());
            case "type" -> out.value(row.type());
            case "period" -> out.value(row.period());
            default -> throw new IllegalArgumentException("not a client field: " + field);
        }
    }
}
