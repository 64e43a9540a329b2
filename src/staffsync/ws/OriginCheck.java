package staffsync.ws;

import staffsync.config.AccessConfig;
import staffsync.metrics.Metrics;
import staffsync.ws.library.HandshakeCheck;
import staffsync.ws.library.HandshakeRefusal;
import staffsync.ws.library.HandshakeRequest;

/**
 * ALLOWED_ORIGINS (PROTOCOL.md "Origins"): a browser always sends the page's origin with a
 * WebSocket upgrade, so a page on another site cannot use a visitor's browser to reach the
 * server. A request from an origin not on the list gets HTTP 403; one without an Origin header
 * (a script, a server, a native app) is allowed. Stateless.
 */
final class OriginCheck implements HandshakeCheck {
    private final AccessConfig access;
    private final Metrics metrics;

    OriginCheck(AccessConfig access, Metrics metrics) {
        this.access = access;
        this.metrics = metrics;
    }

    @Override
    public HandshakeRefusal check(HandshakeRequest request) {
        String origin = request.header("Origin");
        if (access.allowsOrigin(origin)) {
            return null;
        }
        metrics.handshakeRefused("origin");
        return HandshakeRefusal.of(403, "origin " + printable(origin) + " may not connect (ALLOWED_ORIGINS)");
    }

    /** The header as sent, bounded and without control characters: it goes back in the body. */
    private static String printable(String origin) {
        String shown = origin.length() > 200 ? origin.substring(0, 200) + "..." : origin;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
