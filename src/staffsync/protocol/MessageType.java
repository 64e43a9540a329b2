package staffsync.protocol;

/** Every {@code type} that appears on the wire, in either direction. */
public final class MessageType {
    private MessageType() {}

    public static final String STAFF_CREATE = "STAFF_CREATE";
    public static final String STAFF_UPDATE = "STAFF_UPDATE";
    public static final String STAFF_DELETE = "STAFF_DELETE";
    public static final String SYNC_REQUEST = "SYNC_REQUEST";
    public static final String SYNC_RESPONSE = "SYNC_RESPONSE";
    public static final String SYNC_ALL_PERIODS_REQUEST = "SYNC_ALL_PERIODS_REQUEST";
    public static final String SYNC_ALL_PERIODS_RESPONSE = "SYNC_ALL_PERIODS_RESPONSE";
    public static final String PING = "PING";
    public static final String PONG = "PONG";
    public static final String CONNECTION_ACK = "CONNECTION_ACK";
    public static final String ERROR = "ERROR";
    public static final String AUTH = "AUTH";
    public static final String AUTH_OK = "AUTH_OK";
}
