package staffsync.protocol;

/** The {@code code} of an ERROR message, as PROTOCOL.md lists them. */
public enum ErrorCode {
    INVALID_MESSAGE,
    UNKNOWN_TYPE,
    VALIDATION_FAILED,
    NOT_FOUND,
    ALREADY_EXISTS,
    VERSION_CONFLICT,
    RATE_LIMITED,
    /** The change was not applied; the client may retry it. */
    STORE_UNAVAILABLE,
    UNAUTHORIZED,
    /** Writes are switched off (READ_ONLY, PUT /admin/read-only); nothing was applied. */
    READ_ONLY,
    /** A data limit such as MAX_ROWS would be passed; nothing applied. */
    LIMIT_EXCEEDED,
    /** A (clientId, sequenceNumber) already used for a different message; nothing applied. */
    SEQUENCE_REUSED,
    INTERNAL
}
