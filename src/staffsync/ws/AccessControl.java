package staffsync.ws;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import staffsync.auth.ReadOnlySwitch;
import staffsync.auth.Role;
import staffsync.auth.TokenVerifier;
import staffsync.auth.VerifiedToken;
import staffsync.hub.Hub;
import staffsync.hub.HubEvent;
import staffsync.metrics.Metrics;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.MessageType;
import staffsync.protocol.ServerMessages;
import staffsync.protocol.Timestamps;

/**
 * Who may do what on a connection (PROTOCOL.md "Authentication" and "Read-only switch"):
 * with AUTH_MODE=jwt a connection holds no rights until a valid token (AUTH, or the handshake's
 * access_token), receives no events until AUTH_OK, and is closed with 4001 when its token is
 * bad, belongs to another user than before, expires, or never comes. A reader's writes, and
 * everyone's while the read-only switch is on, are refused before they reach the hub.
 *
 * <p>Never blocks: tokens whose key is held are checked on the calling worker; one waiting for a
 * JWKS fetch finishes on the HTTP client's thread. Per-connection state is {@link ConnectionAuth}.
 */
final class AccessControl {
    /** STAFF_CREATE, STAFF_UPDATE, STAFF_DELETE. */
    static boolean isWrite(String type) {
        return type.equals(MessageType.STAFF_CREATE) || type.equals(MessageType.STAFF_UPDATE)
                || type.equals(MessageType.STAFF_DELETE);
    }

    /** Close code for every authentication failure (a private-use code, 4000-4999). */
    static final int CLOSE_UNAUTHORIZED = 4001;

    /** Why a message may not be processed; {@code metricReason} labels refused writes in /metrics. */
    record Refusal(ErrorCode code, String message, String metricReason) {}

    private final TokenVerifier verifier;
    private final ReadOnlySwitch readOnly;
    private final ScheduledExecutorService timers;
    private final Hub hub;
    private final TextFrames frames;
    private final Metrics metrics;
    private final long authTimeoutMs;

    /** @param verifier null with AUTH_MODE=off: every connection may read and write */
    AccessControl(TokenVerifier verifier, ReadOnlySwitch readOnly, ScheduledExecutorService timers, Hub hub,
                  TextFrames frames, Metrics metrics, long authTimeoutMs) {
        this.verifier = verifier;
        this.readOnly = readOnly;
        this.timers = timers;
        this.hub = hub;
        this.frames = frames;
        this.metrics = metrics;
        this.authTimeoutMs = authTimeoutMs;
    }

    boolean tokensRequired() {
        return verifier != null;
    }

    /** A connection opened: it is acknowledged; with tokens required it waits for one, for at most AUTH_TIMEOUT_MS. */
    void opened(ClientConnection client) {
        if (!tokensRequired()) {
            hub.submit(new HubEvent.Register(client));
            return;
        }
        ConnectionAuth auth = client.auth;
        synchronized (auth) {
            hub.submit(new HubEvent.RegisterAwaitingAuth(client));
            auth.timer = timers.schedule(() -> timedOut(client), authTimeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    /** A connection whose handshake carried a token: as if its first message were AUTH with it. */
    void opened(ClientConnection client, CompletableFuture<VerifiedToken> handshakeToken) {
        opened(client);
        apply(client, handshakeToken, nextAttempt(client), null);
    }

    /** AUTH: authenticate, or refresh with a newer token of the same user. */
    void onAuth(ClientConnection client, String token, Long inReplyTo) {
        if (!tokensRequired()) {
            // Nothing to check with AUTH_MODE=off: every connection is already an editor.
            client.send(frames.encode(ServerMessages.authOk(Role.EDITOR.wireName(), null, null,
                    hub.status().sequence(), inReplyTo)));
            metrics.sent(MessageType.AUTH_OK, 1);
            return;
        }
        long attempt = nextAttempt(client);
        if (attempt > 0) {
            apply(client, verifier.verify(token), attempt, inReplyTo);
        }
    }

    /** The number of this AUTH, or 0 when the connection is already being closed. */
    private static long nextAttempt(ClientConnection client) {
        synchronized (client.auth) {
            return client.auth.ended ? 0 : ++client.auth.attempts;
        }
    }

    private void apply(ClientConnection client, CompletableFuture<VerifiedToken> verification, long attempt,
                       Long inReplyTo) {
        verification.whenComplete((verified, error) -> {
            if (error != null) {
                refuse(client, TokenVerifier.rejection(error).getMessage(), inReplyTo, "unauthorized");
            } else {
                accept(client, verified, attempt, inReplyTo);
            }
        });
    }

    private void accept(ClientConnection client, VerifiedToken verified, long attempt, Long inReplyTo) {
        ConnectionAuth auth = client.auth;
        synchronized (auth) {
            if (auth.ended) {
                return;
            }
            VerifiedToken held = auth.token;
            boolean sameUser = held == null || held.subject().equals(verified.subject());
            if (sameUser && attempt < auth.appliedAttempt) {
                // An older AUTH finished after a newer one: the newest token counts, and this
                // AUTH's answer says so.
                announce(client, held, inReplyTo);
                return;
            }
            if (sameUser) {
                auth.token = verified;
                auth.appliedAttempt = attempt;
                auth.cancelTimer();
                long untilExpiry = Math.max(0, verified.expiresAt().toEpochMilli() - System.currentTimeMillis());
                auth.timer = timers.schedule(() -> expired(client, verified), untilExpiry, TimeUnit.MILLISECONDS);
                // Queued under the lock: whatever this connection does next as an authenticated
                // client reaches the hub after this, so its first events follow AUTH_OK.
                announce(client, verified, inReplyTo);
                return;
            }
        }
        refuse(client, "token is for another user than the one this connection authenticated as", inReplyTo,
                "unauthorized");
    }

    /** AUTH_OK through the hub (which starts the events); called holding the connection's auth lock. */
    private void announce(ClientConnection client, VerifiedToken token, Long inReplyTo) {
        hub.submit(new HubEvent.Authenticated(client, token.role().wireName(), token.subject(),
                Timestamps.format(token.expiresAt()), inReplyTo));
    }

    private void expired(ClientConnection client, VerifiedToken token) {
        synchronized (client.auth) {
            if (client.auth.token != token) {
                return; // refreshed meanwhile
            }
        }
        refuse(client, "token expired", null, "token expired");
    }

    private void timedOut(ClientConnection client) {
        synchronized (client.auth) {
            if (client.auth.token != null) {
                return;
            }
        }
        refuse(client, "no valid token within " + authTimeoutMs + " ms (AUTH_TIMEOUT_MS): send AUTH first", null,
                "authentication timeout");
    }

    /** ERROR UNAUTHORIZED, then close 4001; once per connection. */
    private void refuse(ClientConnection client, String message, Long inReplyTo, String closeReason) {
        synchronized (client.auth) {
            if (client.auth.ended) {
                return;
            }
            client.auth.ended = true;
            client.auth.cancelTimer();
        }
        metrics.error(ErrorCode.UNAUTHORIZED);
        metrics.sent(MessageType.ERROR, 1);
        client.send(frames.encode(ServerMessages.error(ErrorCode.UNAUTHORIZED, message, null, null,
                hub.status().sequence(), inReplyTo)));
        client.closeWith(CLOSE_UNAUTHORIZED, closeReason);
    }

    /** The connection closed: its timer has nothing left to do. */
    void closed(ClientConnection client) {
        synchronized (client.auth) {
            client.auth.ended = true;
            client.auth.cancelTimer();
        }
    }

    /** The token {@code sub} of the connection's user, or null without authentication. */
    String subject(ClientConnection client) {
        if (!tokensRequired()) {
            return null;
        }
        synchronized (client.auth) {
            return client.auth.token == null ? null : client.auth.token.subject();
        }
    }

    /**
     * Null when the connection may send a message of this type; else why not. Decided by the
     * type alone, before the message is validated: a connection that may not send something
     * learns that, not what else is wrong with it. AUTH and PING are always allowed.
     */
    Refusal refusal(ClientConnection client, String type) {
        if (type.equals(MessageType.AUTH) || type.equals(MessageType.PING)) {
            return null;
        }
        boolean write = isWrite(type);
        if (tokensRequired()) {
            VerifiedToken token;
            synchronized (client.auth) {
                token = client.auth.token;
            }
            if (token == null) {
                return new Refusal(ErrorCode.UNAUTHORIZED, "authenticate first: until AUTH_OK only AUTH and PING "
                        + "are accepted; nothing was " + (write ? "applied" : "sent"), "unauthenticated");
            }
            if (token.expiresAt().toEpochMilli() <= System.currentTimeMillis()) {
                return new Refusal(ErrorCode.UNAUTHORIZED, "token expired", "unauthenticated");
            }
            if (write && token.role() != Role.EDITOR) {
                return new Refusal(ErrorCode.UNAUTHORIZED, "this user is a reader: only editors may change staff; "
                        + "nothing was applied", "reader");
            }
        }
        if (write && readOnly.isOn()) {
            return new Refusal(ErrorCode.READ_ONLY, "writes are switched off for now (read-only); nothing was applied",
                    "read_only");
        }
        return null;
    }
}
