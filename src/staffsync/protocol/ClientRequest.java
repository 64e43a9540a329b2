package staffsync.protocol;

/** What a client asked for, parsed and validated: one record per client message type. */
public sealed interface ClientRequest {

    /** A request that changes a row: goes through the store, then to every client. */
    sealed interface Mutation extends ClientRequest {
        String staffId();
    }

    /** STAFF_CREATE; {@code staffId} is the client's id or one the server made up. */
    record CreateStaff(String staffId, StaffFields fields) implements Mutation {}

    /** STAFF_UPDATE; {@code expectedVersion} null means last writer wins. */
    record UpdateStaff(String staffId, StaffFields changes, Long expectedVersion) implements Mutation {}

    /** STAFF_DELETE; {@code expectedVersion} null means unconditional. */
    record DeleteStaff(String staffId, Long expectedVersion) implements Mutation {}

    /** SYNC_REQUEST; every field may be null (see PROTOCOL.md "Ordering and sync"). */
    record SyncRequest(Long period, Long sinceSequence, String epoch) implements ClientRequest {}

    /** SYNC_ALL_PERIODS_REQUEST. */
    record SyncAllPeriods() implements ClientRequest {}

    /** AUTH: an access token to authenticate with, or a newer one of the same user. */
    record Auth(String token) implements ClientRequest {
        /** Never the token: a request may end up in a log line. */
        @Override
        public String toString() {
            return "Auth[token=(hidden)]";
        }
    }

    /** PING; the payload is echoed back verbatim as JSON text. */
    record Ping(String payloadJson) implements ClientRequest {}
}
