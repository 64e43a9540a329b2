package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.Json;
import staffsync.support.SharedServer;
import staffsync.support.WsClient;

class ConnectionTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer(Map.of("HANDSHAKE_TIMEOUT_MS", "500"));

    @Test
    void aNewConnectionGetsConnectionAckFirst() {
        try (WsClient client = WsClient.connect(server.wsUri(), "ack-test")) {
            JsonObject ack = client.ack();
            JsonObject payload = Json.payload(ack);
            assertEquals("server", ack.get("clientId").getAsString());
            assertTrue(payload.get("connectionId").getAsString().startsWith("conn-"));
            assertFalse(payload.get("epoch").getAsString().isEmpty());
            assertEquals(1, payload.get("protocolVersion").getAsInt());
            assertTrue(payload.has("serverVersion"));
            assertEquals(Json.seq(ack), payload.get("sequenceNumber").getAsLong());
            assertTrue(ack.get("timestamp").getAsString().endsWith("Z"));
        }
    }

    @Test
    void theServerPingsANewConnectionAtOnceAndItStaysUsable() throws InterruptedException {
        // PING_INTERVAL_SECONDS is 30 here: a ping within 5 s can only be the opening one.
        try (WsClient client = WsClient.connect(server.wsUri(), "ping-test")) {
            client.nextPingFrame(Duration.ofSeconds(5));
            client.ack();
            client.send("PING", "{}");
            client.next("PONG");
        }
    }

    @Test
    void anUnknownPathIsRefusedWith404() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.wsPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /elsewhere HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] head = new byte[12];
            int read = socket.getInputStream().readNBytes(head, 0, 12);
            assertEquals("HTTP/1.1 404", new String(head, 0, read, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void anUnknownPathFailsForAWebSocketClient() {
        CompletionException error = assertThrows(CompletionException.class,
                () -> WsClient.connect(server.wsUri("/other"), "lost"));
        assertTrue(String.valueOf(error.getCause()).contains("404") || error.getCause() != null);
    }

    @Test
    void aSocketThatNeverSendsAHandshakeIsClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.wsPort())) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            long started = System.nanoTime();
            assertEquals(-1, in.read(), "the server should close the idle socket");
            long waitedMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(waitedMs >= 300, "closed after the handshake timeout, not at once: " + waitedMs + " ms");
        }
    }

    @Test
    void aRefusedHandshakeSocketIsClosedAfterTheTimeout() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.wsPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /nope HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            in.readNBytes(12);
            while (in.read() != -1) {
                // the rest of the 404 response, then end of stream when the server closes
            }
        }
    }
}
