package staffsync.protocol;

/** A client message that cannot be accepted; becomes one ERROR reply, never a closed connection. */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String staffId;
    private final Long inReplyTo;
    private final String type;

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public ProtocolException(ErrorCode code, String message, String staffId) {
        this(code, message, staffId, null, null);
    }

    private ProtocolException(ErrorCode code, String message, String staffId, Long inReplyTo, String type) {
        super(message, null, false, false); // expected control flow: no stack trace needed
        this.code = code;
        this.staffId = staffId;
        this.inReplyTo = inReplyTo;
        this.type = type;
    }

    /**
     * The same error, answering the client's sequenceNumber (when the envelope had one) and
     * naming the message's {@code type} (when it had a readable one).
     */
    public ProtocolException about(Long clientSequence, String messageType) {
        return new ProtocolException(code, getMessage(), staffId, clientSequence, messageType);
    }

    /** The message's {@code type}, or null when it had none (not JSON, no string type). */
    public String type() {
        return type;
    }

    /** The client's sequenceNumber this error answers, or null. */
    public Long inReplyTo() {
        return inReplyTo;
    }

    public ErrorCode code() {
        return code;
    }

    /** The row the message was about, when the client named one; null otherwise. */
    public String staffId() {
        return staffId;
    }
}
