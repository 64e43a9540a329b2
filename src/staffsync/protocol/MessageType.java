package staffsync.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * Every {@code type} that appears on the wire, in either direction; on the wire each is its
 * name ({@link #wire}). Like {@link ErrorCode}, an enum: a switch over it names every case.
 */
public enum MessageType {
    STAFF_CREATE,
    STAFF_UPDATE,
    STAFF_DELETE,
    SYNC_REQUEST,
    SYNC_RESPONSE,
    SYNC_ALL_PERIODS_REQUEST,
    SYNC_ALL_PERIODS_RESPONSE,
    PING,
    PONG,
    CONNECTION_ACK,
    ERROR,
    AUTH,
    AUTH_OK;

    private static final Map<String, MessageType> BY_WIRE = new HashMap<>();

    static {
        for (MessageType type : values()) {
            BY_WIRE.put(type.wire(), type);
        }
    }

    /** The {@code type} field's text. */
    public String wire() {
        return name();
    }

    /** The type a message names, or null when the protocol has no such type (exact, case included). */
    public static MessageType fromWire(String type) {
        return type == null ? null : BY_WIRE.get(type);
    }
}
