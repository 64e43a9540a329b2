package staffsync.hub;

import staffsync.protocol.ClientRequest.SyncRequest;

/**
 * A client's request for rows, kept until its turn comes.
 *
 * @param request    the SYNC_REQUEST; null for SYNC_ALL_PERIODS_REQUEST
 * @param inReplyTo  the request's sequenceNumber, if it had one
 */
record SyncAsk(Client client, SyncRequest request, Long inReplyTo) {
    boolean allPeriods() {
        return request == null;
    }
}
