package staffsync.ws.library;

import java.util.Base64;

/**
 * The first check: is this a WebSocket upgrade (RFC 6455 section 4.2.1) to our path? A browser
 * pointed at the port by mistake gets a 400 that says where to go instead of the library's
 * "404 WebSocket Upgrade Failure".
 */
public final class UpgradeRequestCheck implements HandshakeCheck {
    private static final String SUPPORTED_VERSION = "13";
    private final String path;

    public UpgradeRequestCheck(String path) {
        this.path = path;
    }

    @Override
    public HandshakeRefusal check(HandshakeRequest request) {
        if (!request.method().equals("GET") || !request.headerHasToken("Upgrade", "websocket")
                || !request.headerHasToken("Connection", "Upgrade")) {
            return HandshakeRefusal.of(400, "this port speaks WebSocket only: connect to ws://HOST:PORT" + path
                    + " (health, readiness and metrics are on HTTP_PORT)");
        }
        if (!request.path().equals(path)) {
            return HandshakeRefusal.of(404, "no WebSocket endpoint at " + request.path() + "; use " + path);
        }
        if (!SUPPORTED_VERSION.equals(request.header("Sec-WebSocket-Version"))) {
            // RFC 6455 4.4: name the versions we speak, so the client can retry with one.
            return HandshakeRefusal.of(426, "unsupported Sec-WebSocket-Version; this server speaks version "
                    + SUPPORTED_VERSION).withHeader("Sec-WebSocket-Version", SUPPORTED_VERSION);
        }
        if (!isValidKey(request.header("Sec-WebSocket-Key"))) {
            return HandshakeRefusal.of(400, "Sec-WebSocket-Key must be 16 random bytes in base64");
        }
        return null;
    }

    private static boolean isValidKey(String key) {
        if (key == null) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }
}
