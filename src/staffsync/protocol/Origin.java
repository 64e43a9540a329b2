package staffsync.protocol;

/**
 * Who asked for a change: the client's id and its message number. Events carry it so the
 * originator recognises its own change ({@code inReplyTo}) and a retry can be recognised.
 *
 * @param clientSequence the client's {@code sequenceNumber}, or null when it sent none
 */
public record Origin(String clientId, Long clientSequence) {

    /** Changes nobody connected asked for, such as a row edited directly in the database. */
    public static final Origin SERVER = new Origin("server", null);
}
