package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.RawWebSocket;
import staffsync.support.SharedServer;

/**
 * PROTOCOL.md "Limits and closing": a request that is not a WebSocket upgrade gets 400, an
 * unsupported version 426, another path 404, and no response names the library behind it.
 */
class HandshakeResponsesTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    /** Sends the request and returns the whole response; the server closes after a refusal. */
    private String exchange(String request) throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.wsPort())) {
            raw.sendRaw(request);
            return raw.readToEnd();
        }
    }

    @Test
    void aPlainHttpRequestGets400PointingToTheHttpPort() throws IOException {
        String response = exchange("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 400 Bad Request\r\n"), response);
        assertTrue(response.contains("HTTP_PORT"), response);
    }

    @Test
    void anUpgradeWithAnUnsupportedVersionGets426NamingVersion13() throws IOException {
        String response = exchange(RawWebSocket.upgradeRequest("/staff-sync", "8"));
        assertTrue(response.startsWith("HTTP/1.1 426 Upgrade Required\r\n"), response);
        assertTrue(response.contains("\r\nSec-WebSocket-Version: 13\r\n"), response);
    }

    @Test
    void anUpgradeToAnotherPathGets404NamingTheRightOne() throws IOException {
        String response = exchange(RawWebSocket.upgradeRequest("/elsewhere", "13"));
        assertTrue(response.startsWith("HTTP/1.1 404 Not Found\r\n"), response);
        assertTrue(response.contains("/staff-sync"), response);
    }

    @Test
    void anUpgradeWithoutAKeyGets400() throws IOException {
        String request = RawWebSocket.upgradeRequest("/staff-sync", "13")
                .replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "");
        assertTrue(exchange(request).startsWith("HTTP/1.1 400 "));
    }

    @Test
    void aRequestHeadLargerThan16KiBGets431() throws IOException {
        String request = "GET /staff-sync HTTP/1.1\r\nX-Pad: " + "x".repeat(17 * 1024) + "\r\n\r\n";
        assertTrue(exchange(request).startsWith("HTTP/1.1 431 "));
    }

    @Test
    void noRefusalNamesTheLibrary() throws IOException {
        for (String request : new String[] {"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                RawWebSocket.upgradeRequest("/staff-sync", "8"), RawWebSocket.upgradeRequest("/other", "13")}) {
            assertNamesNoLibrary(exchange(request));
        }
    }

    @Test
    void theAcceptedHandshakeNamesNoLibrary() throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.wsPort())) {
            raw.sendRaw(RawWebSocket.upgradeRequest("/staff-sync", "13"));
            String head = raw.readHttpHead();
            assertTrue(head.startsWith("HTTP/1.1 101 "), head);
            assertNamesNoLibrary(head);
        }
    }

    private static void assertNamesNoLibrary(String response) {
        String lower = response.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("tootallnate") || lower.contains("java-websocket"), response);
    }
}
