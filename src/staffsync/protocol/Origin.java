package staffsync.protocol;

/**
 * Who asked for a change: the client's id and its message number. Events carry it so the
 * originator recognises its own change ({@code inReplyTo}) and a retry can be recognised.
 *
 * @param clientSequence the client's {@code sequenceNumber}, or null when it sent none
 * @param fingerprint    the {@link RequestFingerprint} of the message, kept with the outcome so
 *                       that a resend is recognised as the same message; null when unknown (no
 *                       sequenceNumber, or an event logged before fingerprints were kept)
 * @param subject        the sender's token {@code sub} with AUTH_MODE=jwt, else null: part of the
 *                       retry key, so one user never receives or suppresses another's outcome;
 *                       never on the wire
 */
public record Origin(String clientId, Long clientSequence, String fingerprint, String subject) {

    /** Changes nobody connected asked for, such as a row edited directly in the database. */
    public static final Origin SERVER = new Origin("server", null);

    /** A change from a connection without authentication (AUTH_MODE=off), without a fingerprint. */
    public Origin(String clientId, Long clientSequence) {
        this(clientId, clientSequence, null, null);
    }

    /** A change from a connection without authentication (AUTH_MODE=off). */
    public Origin(String clientId, Long clientSequence, String fingerprint) {
        this(clientId, clientSequence, fingerprint, null);
    }
}
