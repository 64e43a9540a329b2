package staffsync.ws;

import java.util.concurrent.CompletableFuture;
import staffsync.auth.TokenVerifier;
import staffsync.auth.VerifiedToken;
import staffsync.metrics.Metrics;
import staffsync.ws.library.HandshakeCheck;
import staffsync.ws.library.HandshakeRefusal;
import staffsync.ws.library.HandshakeRequest;

/**
 * With AUTH_MODE=jwt, an {@code ?access_token=} on the WebSocket URL is checked before the
 * WebSocket exists (PROTOCOL.md "Authentication"): empty or invalid, HTTP 401. A request without
 * the parameter passes: that connection must send AUTH instead.
 *
 * <p>Never blocks: a token whose key is held is verified here; one naming a key the JWKS is
 * being fetched for passes, and the connection, once open, waits for that fetch like an AUTH
 * would (a bad token then gets ERROR UNAUTHORIZED and close 4001). The verdict is remembered by
 * the verifier, so {@link SyncServer#opened} finds it again for the price of a hash.
 */
final class AccessTokenCheck implements HandshakeCheck {
    static final String PARAMETER = "access_token";

    private final TokenVerifier verifier;
    private final Metrics metrics;

    AccessTokenCheck(TokenVerifier verifier, Metrics metrics) {
        this.verifier = verifier;
        this.metrics = metrics;
    }

    /** The handshake's token, or null when the URL has none. */
    static String tokenOf(HandshakeRequest request) {
        return request == null ? null : request.queryParameter(PARAMETER);
    }

    @Override
    public HandshakeRefusal check(HandshakeRequest request) {
        String token = tokenOf(request);
        if (token == null) {
            return null;
        }
        if (token.isEmpty()) {
            return refused("access_token is empty: pass the session's access token, or leave the parameter out and send AUTH");
        }
        CompletableFuture<VerifiedToken> verdict = verifier.verify(token);
        if (!verdict.isDone() || !verdict.isCompletedExceptionally()) {
            return null;
        }
        return refused(verdict.handle((holder, error) -> TokenVerifier.rejection(error).getMessage()).join());
    }

    private HandshakeRefusal refused(String reason) {
        metrics.handshakeRefused("unauthorized");
        // RFC 6750 3: the scheme and why, for clients that read the header.
        return HandshakeRefusal.of(401, reason).withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
}
