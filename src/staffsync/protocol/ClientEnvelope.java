package staffsync.protocol;

/**
 * One message from a client, after parsing and validation.
 *
 * @param clientId       the client's own id (1-128 characters)
 * @param sequenceNumber the client's message number, or null; answers carry it as {@code inReplyTo}
 */
public record ClientEnvelope(String type, String clientId, Long sequenceNumber, ClientRequest request) {}
