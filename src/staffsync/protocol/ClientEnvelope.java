package staffsync.protocol;

/**
 * One message from a client, after parsing and validation.
 *
 * @param clientId       the client's own id (1-128 characters)
 * @param sequenceNumber the client's message number, or null; answers carry it as {@code inReplyTo}
 * @param fingerprint    for a change with a sequenceNumber, its {@link RequestFingerprint}; else null
 */
public record ClientEnvelope(String type, String clientId, Long sequenceNumber, ClientRequest request,
                             String fingerprint) {}
