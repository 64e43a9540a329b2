package staffsync.protocol;

import java.util.List;

/**
 * One committed change: the unit of ordering. The store gives it the next event sequence;
 * the hub broadcasts it to every client and keeps it for replay.
 *
 * @param row           the row after the change; for a delete, the row as it was last stored
 * @param changedFields for an update, the client fields it changed (wire names); else empty
 * @param timestamp     commit time, ISO-8601 UTC; the broadcast's {@code timestamp}
 */
public record ChangeEvent(
        long sequence,
        Kind kind,
        StaffRow row,
        List<String> changedFields,
        String timestamp,
        Origin origin) {

    public enum Kind {
        CREATE(MessageType.STAFF_CREATE),
        UPDATE(MessageType.STAFF_UPDATE),
        DELETE(MessageType.STAFF_DELETE);

        /** The type of the event's message. */
        public final MessageType messageType;

        Kind(MessageType messageType) {
            this.messageType = messageType;
        }
    }

    public ChangeEvent {
        changedFields = List.copyOf(changedFields);
    }
}
