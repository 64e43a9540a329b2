package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.SharedServer;
import staffsync.support.WsClient;

/** The server pings every PING_INTERVAL_SECONDS and closes peers that stop answering. */
class DeadPeerTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer(Map.of("PING_INTERVAL_SECONDS", "1"));

    @Test
    void aPeerThatNeverAnswersPingsIsClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.wsPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /staff-sync HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] status = in.readNBytes(12);
            assertEquals("HTTP/1.1 101", new String(status, StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            // Read (and ignore) the ack and the pings, never answering, until the server hangs up.
            while (in.read() != -1) {
                assertTrue(System.nanoTime() - started < 9_000_000_000L, "still open after 9 s");
            }
        }
    }

    @Test
    void aPeerThatAnswersPingsStaysConnected() throws Exception {
        try (WsClient client = WsClient.connect(server.wsUri(), "alive")) {
            client.ack();
            // The opening ping and three more, a second apart, each answered (the JDK client
            // pongs by itself): a peer whose pongs did not count would be closed before the fourth.
            for (int ping = 0; ping < 4; ping++) {
                client.nextPingFrame(Duration.ofSeconds(5));
            }
            assertFalse(client.isClosed());
            client.send("PING", "{}");
            client.next("PONG");
        }
    }
}
