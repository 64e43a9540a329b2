package staffsync.ws;

import staffsync.hub.Hub;
import staffsync.hub.HubEvent;
import staffsync.metrics.Metrics;
import staffsync.protocol.ClientEnvelope;
import staffsync.protocol.ClientRequest;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.MessageParser;
import staffsync.protocol.MessageType;
import staffsync.protocol.Origin;
import staffsync.protocol.ProtocolException;
import staffsync.protocol.ServerMessages;

/**
 * What happens to one text message: parse and validate it here, on the WebSocket worker (cheap,
 * and it spreads the work over the workers), then answer at once (PING, errors) or hand it to
 * the hub. Never blocks: a slow callback would stall every connection on this worker.
 */
final class MessageHandler {
    private final MessageParser parser = new MessageParser();
    private final Hub hub;
    private final TextFrames frames;
    private final Metrics metrics;
    private final ProtocolErrorLog protocolErrors;
    private final AccessControl access;

    MessageHandler(Hub hub, TextFrames frames, Metrics metrics, ProtocolErrorLog protocolErrors,
                   AccessControl access) {
        this.hub = hub;
        this.frames = frames;
        this.metrics = metrics;
        this.protocolErrors = protocolErrors;
        this.access = access;
    }

    void onText(ClientConnection client, String text) {
        ClientEnvelope envelope;
        try {
            envelope = parser.parse(text);
        } catch (ProtocolException e) {
            metrics.received("INVALID");
            if (e.type() != null && refused(client, e.type(), e.staffId(), e.inReplyTo())) {
                return; // not for this connection yet, whatever else is wrong with it
            }
            replyError(client, e.code(), e.getMessage(), e.staffId(), e.inReplyTo());
            // A client that breaks the envelope is worth an operator's look; bad row values are not.
            if (e.code() == ErrorCode.INVALID_MESSAGE || e.code() == ErrorCode.UNKNOWN_TYPE) {
                protocolErrors.report(client.describe(), client.protocolErrorsLogged,
                        e.code() == ErrorCode.INVALID_MESSAGE ? ProtocolErrorLog.Kind.INVALID_MESSAGE
                                : ProtocolErrorLog.Kind.UNKNOWN_TYPE, e.getMessage());
            }
            return;
        }
        metrics.received(envelope.type());
        Long inReplyTo = envelope.sequenceNumber();
        if (!client.inbound.takeMessage()) {
            replyError(client, ErrorCode.RATE_LIMITED,
                    "too many messages: slow down (RATE_LIMIT_PER_SECOND); this one was not processed", null, inReplyTo);
            return;
        }
        ClientRequest request = envelope.request();
        String staffId = request instanceof ClientRequest.Mutation mutation ? mutation.staffId() : null;
        if (refused(client, envelope.type(), staffId, inReplyTo)) {
            return;
        }
        if (request instanceof ClientRequest.Ping ping) {
            client.send(frames.encode(
                    ServerMessages.pong(ping.payloadJson(), hub.status().sequence(), inReplyTo)));
            metrics.sent(MessageType.PONG, 1);
            return;
        }
        if (request instanceof ClientRequest.Auth auth) {
            access.onAuth(client, auth.token(), inReplyTo);
            return;
        }
        if (request instanceof ClientRequest.Mutation mutation) {
            if (!client.inbound.reserveChange()) {
                replyError(client, ErrorCode.RATE_LIMITED, "too many changes waiting for the store "
                        + "(MAX_PENDING_PER_CONNECTION); this one was not applied", mutation.staffId(), inReplyTo);
                return;
            }
            Origin origin = new Origin(envelope.clientId(), inReplyTo, envelope.fingerprint(), access.subject(client));
            hub.submit(new HubEvent.MutationRequested(client, origin, mutation));
        } else if (request instanceof ClientRequest.SyncRequest sync) {
            hub.submit(new HubEvent.SyncRequested(client, sync, inReplyTo));
        } else if (request instanceof ClientRequest.SyncAllPeriods all) {
            hub.submit(new HubEvent.AllPeriodsRequested(client, all, inReplyTo));
        }
    }

    /** True when access control refused the message (and the client was told). */
    private boolean refused(ClientConnection client, String type, String staffId, Long inReplyTo) {
        AccessControl.Refusal refusal = access.refusal(client, type);
        if (refusal == null) {
            return false;
        }
        if (AccessControl.isWrite(type)) {
            metrics.writeRefused(refusal.metricReason());
        }
        replyError(client, refusal.code(), refusal.message(), staffId, inReplyTo);
        return true;
    }

    void onBinary(ClientConnection client) {
        metrics.received("BINARY");
        String message = "binary frames are not supported: send each message as a JSON text frame";
        replyError(client, ErrorCode.INVALID_MESSAGE, message, null, null);
        protocolErrors.report(client.describe(), client.protocolErrorsLogged, ProtocolErrorLog.Kind.INVALID_MESSAGE,
                message);
    }

    private void replyError(ClientConnection client, ErrorCode code, String message, String staffId, Long inReplyTo) {
        metrics.error(code);
        metrics.sent(MessageType.ERROR, 1);
        client.send(frames.encode(
                ServerMessages.error(code, message, staffId, null, hub.status().sequence(), inReplyTo)));
    }
}
