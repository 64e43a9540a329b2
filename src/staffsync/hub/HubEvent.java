package staffsync.hub;

import java.util.concurrent.CountDownLatch;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.ClientRequest.SyncRequest;
import staffsync.protocol.Origin;
import staffsync.store.MutationResult;
import staffsync.store.StoreState;

/**
 * Everything the hub reacts to. In the Go design these were separate channels
 * (register, unregister, broadcast) read by one {@code select}; here they are one
 * {@link java.util.concurrent.BlockingQueue} of these typed events, which keeps their
 * arrival order as well. The interface is sealed: {@code Hub.handle} has a case for each, and
 * ends in a throw, so a new kind of event without a case fails loudly instead of being ignored.
 */
public sealed interface HubEvent {

    /** A client finished its handshake: gets CONNECTION_ACK, then every event. */
    record Register(Client client) implements HubEvent {}

    /**
     * A client finished its handshake where a token is required (AUTH_MODE=jwt): gets
     * CONNECTION_ACK, but no event until {@link Authenticated}.
     */
    record RegisterAwaitingAuth(Client client) implements HubEvent {}

    /**
     * A client's token was accepted, the first time or as a refresh: it gets AUTH_OK and, from
     * then on, every event. Queued while the connection's auth state is locked, so nothing the
     * connection does as an authenticated client can reach the hub before this.
     */
    record Authenticated(Client client, String role, String subject, String expiresAt, Long inReplyTo)
            implements HubEvent {}

    /** A client's connection closed. */
    record Unregister(Client client) implements HubEvent {}

    /** A client asks for a change; the hub checks for a retry, then hands it to the store. */
    record MutationRequested(Client client, Origin origin, Mutation mutation) implements HubEvent {}

    /**
     * The store's outcome for a change, from a store lane (or the store's thread): applied (its
     * {@link Committed} came first and was the answer), refused (the requester and any retry
     * waiting on it get the ERROR), or repeated (a resend the store found already committed: the
     * requester gets the original event again). The hub settles the change here.
     */
    record MutationDone(MutationRequested request, MutationResult result) implements HubEvent {}

    /** The store committed a change (from a client or from elsewhere): number it out to everyone. */
    record Committed(ChangeEvent event) implements HubEvent {}

    /** The store (re)loaded its contents. */
    record Loaded(StoreState state) implements HubEvent {}

    /** SYNC_REQUEST: a snapshot (every row or one period) or a replay of the events since a number. */
    record SyncRequested(Client client, SyncRequest request, Long inReplyTo) implements HubEvent {}

    /** SYNC_ALL_PERIODS_REQUEST (no payload fields): every row, grouped by period. */
    record AllPeriodsRequested(Client client, Long inReplyTo) implements HubEvent {}

    /** A large reply went into the client's socket to the end: its turn is over. */
    record ReplyWritten(Client client, Reply reply) implements HubEvent {}

    /** Stop after everything queued before this event; {@code done} opens when the hub has stopped. */
    record Shutdown(CountDownLatch done) implements HubEvent {}
}
