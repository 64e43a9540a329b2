package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.RawWebSocket;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * The server under a small open-files limit ({@code ulimit -n 256} for its process): it says
 * what it has, keeps its connections below the limit by default, stops accepting sockets at
 * MAX_SOCKETS (handshaking or open) so that sockets alone never use up the descriptors, and when
 * the descriptors run out anyway it pauses accepting, says so on /ready, and accepts again once
 * some are free, never closing its listener.
 */
class DescriptorLimitTest {
    private static final ServerProcess.Jvm SMALL_LIMIT = new ServerProcess.Jvm(List.of("-Xmx256m"), 256);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theServerLogsItsOpenFilesLimitAndSizesMaxConnectionsBelowIt() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of(), SMALL_LIMIT)) {
            // 256 - 10% for handshakes in progress - HTTP_MAX_CONNECTIONS (128) - 64 for the rest
            assertTrue(server.log().contains("open files: soft 256, hard 256; MAX_CONNECTIONS 39,"), server.log());
            // the same without the 10%
            assertTrue(server.log().contains(", MAX_SOCKETS 64"), server.log());
        }
    }

    @Test
    void byDefaultConnectionsBeyondMaxConnectionsAreRefusedWith503BeforeDescriptorsRunOut() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of(), SMALL_LIMIT)) {
            List<RawWebSocket> sockets = new ArrayList<>();
            int opened = 0;
            int refused = 0;
            try {
                for (int i = 0; i < 60; i++) {
                    RawWebSocket socket = RawWebSocket.connect(server.wsPort());
                    sockets.add(socket);
                    socket.sendRaw(RawWebSocket.upgradeRequest("/staff-sync", "13"));
                    String head = socket.readHttpHead();
                    if (head.startsWith("HTTP/1.1 101")) {
                        opened++;
                    } else {
                        assertTrue(head.startsWith("HTTP/1.1 503") && head.contains("Retry-After:"), head);
                        refused++;
                    }
                }
                assertEquals(39, opened);
                assertEquals(21, refused);
                assertEquals(200, ready(server).statusCode());
                assertFalse(server.log().contains("paused"), "descriptors never ran out:\n" + server.log());
            } finally {
                for (RawWebSocket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void socketsThatNeverHandshakeStopAtMaxSocketsLeavingTheDescriptorsForTheRest() throws Exception {
        // MAX_CONNECTIONS lifted and silent sockets kept: only MAX_SOCKETS (64 here) bounds them.
        Map<String, String> env = Map.of("MAX_CONNECTIONS", "100000", "HANDSHAKE_TIMEOUT_MS", "120000");
        try (ServerProcess server = ServerProcess.start(env, SMALL_LIMIT)) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    sockets.add(silentSocket(server));
                }
                HttpResponse<String> notReady = awaitReady(server, 503);
                assertTrue(notReady.body().contains("not accepting") && notReady.body().contains("MAX_SOCKETS of 64"),
                        notReady.body());
                long descriptors = openDescriptors(server);
                assertTrue(descriptors <= 256 - 128, descriptors + " descriptors open: HTTP_MAX_CONNECTIONS' 128 stay free");
                assertEquals(1, occurrences(server.log(), "accepting WebSocket connections is paused: the port holds 64"
                        + " sockets, its MAX_SOCKETS of 64"), "logged once, for the bound:\n" + server.log());
                assertFalse(server.log().contains("Too many open files"), "descriptors never ran out:\n" + server.log());

                for (Socket socket : sockets.subList(0, 50)) {
                    socket.close();
                }
                awaitReady(server, 200);
                try (WsClient client = WsClient.connect(server.wsUri(), "after")) {
                    assertEquals("CONNECTION_ACK", Json.type(client.ack()), "accepting again below the bound");
                }
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void runningOutOfDescriptorsPausesAcceptingWithoutClosingTheListener() throws Exception {
        // MAX_CONNECTIONS and MAX_SOCKETS lifted and silent sockets kept, so that descriptors really run out.
        Map<String, String> env = Map.of("MAX_CONNECTIONS", "100000", "MAX_SOCKETS", "100000",
                "HANDSHAKE_TIMEOUT_MS", "120000");
        try (ServerProcess server = ServerProcess.start(env, SMALL_LIMIT)) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 320; i++) {
                    Socket socket = new Socket();
                    // The kernel completes these from the listener's backlog whether or not the server accepts.
                    socket.connect(new InetSocketAddress("127.0.0.1", server.wsPort()), 5_000);
                    sockets.add(socket);
                }
                HttpResponse<String> notReady = awaitReady(server, 503);
                assertTrue(notReady.body().contains("not accepting"), notReady.body());
                assertEquals(1, occurrences(server.log(), "accepting WebSocket connections is paused"),
                        "logged once, not once per attempt:\n" + server.log());

                for (Socket socket : sockets.subList(0, 160)) {
                    socket.close();
                }
                awaitReady(server, 200);
                assertTrue(server.log().contains("accepting WebSocket connections again"), server.log());
                try (WsClient client = WsClient.connect(server.wsUri(), "after")) {
                    assertEquals("CONNECTION_ACK", Json.type(client.ack()), "the same listener accepts again");
                }
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    /** Connected (from the listener's backlog whether or not the server accepts it), sending nothing. */
    private static Socket silentSocket(ServerProcess server) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.wsPort()), 5_000);
        return socket;
    }

    private static long openDescriptors(ServerProcess server) throws IOException {
        try (var entries = Files.list(Path.of("/proc", Long.toString(server.process().pid()), "fd"))) {
            return entries.count();
        }
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    private HttpResponse<String> ready(ServerProcess server) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.httpUri("/ready")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> awaitReady(ServerProcess server, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> response = null;
        while (System.nanoTime() < deadline) {
            try {
                response = ready(server);
                if (response.statusCode() == status) {
                    return response;
                }
            } catch (IOException unanswered) {
                // the server may be short of a descriptor for a moment: ask again
            }
            Thread.sleep(100);
        }
        throw new AssertionError("/ready never answered " + status + "; last: "
                + (response == null ? "no answer" : response.statusCode() + " " + response.body()) + "\n" + server.log());
    }
}
