package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import staffsync.support.RawWebSocket;
import staffsync.support.ServerProcess;

/** MAX_CONNECTIONS and MAX_CONNECTIONS_PER_IP: over either, the handshake gets 503 with Retry-After. */
class ConnectionLimitTest {

    /** Sends an upgrade request on a fresh socket; the response head (the socket stays open on a 101). */
    private static Attempt attempt(RawWebSocket socket) throws IOException {
        socket.sendRaw(RawWebSocket.upgradeRequest("/staff-sync", "13"));
        return new Attempt(socket, socket.readHttpHead());
    }

    record Attempt(RawWebSocket socket, String head) {
        boolean opened() {
            return head.startsWith("HTTP/1.1 101");
        }
    }

    private static void assertRefusedWith503(Attempt attempt) {
        assertTrue(attempt.head().startsWith("HTTP/1.1 503 Service Unavailable\r\n"), attempt.head());
        assertTrue(attempt.head().contains("\r\nRetry-After: 10\r\n"), attempt.head());
        assertTrue(attempt.head().contains("Content-Length"), attempt.head());
    }

    @Test
    void aHandshakeOverMaxConnectionsGets503WithRetryAfterUntilAPlaceIsFree() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("MAX_CONNECTIONS", "3"))) {
            List<RawWebSocket> open = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Attempt attempt = attempt(RawWebSocket.connect(server.wsPort()));
                assertTrue(attempt.opened(), attempt.head());
                open.add(attempt.socket());
            }
            try (RawWebSocket fourth = RawWebSocket.connect(server.wsPort())) {
                Attempt refused = attempt(fourth);
                assertRefusedWith503(refused);
                assertTrue(fourth.readToEnd().contains("MAX_CONNECTIONS"), "the body says which limit");
            }
            open.remove(0).close();
            long deadline = System.nanoTime() + 10_000_000_000L;
            Attempt again;
            do {
                again = attempt(RawWebSocket.connect(server.wsPort()));
            } while (!again.opened() && System.nanoTime() < deadline);
            assertTrue(again.opened(), "a closed connection frees its place: " + again.head());
            again.socket().close();
            for (RawWebSocket socket : open) {
                socket.close();
            }
        }
    }

    @Test
    void concurrentHandshakesCannotRacePastMaxConnections() throws Exception {
        int max = 5;
        int attempts = 40;
        try (ServerProcess server = ServerProcess.start(Map.of("MAX_CONNECTIONS", String.valueOf(max)))) {
            ExecutorService pool = Executors.newFixedThreadPool(attempts);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Attempt>> results = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                RawWebSocket socket = RawWebSocket.connect(server.wsPort());
                results.add(pool.submit(() -> {
                    go.await();
                    return attempt(socket);
                }));
            }
            go.countDown();
            int opened = 0;
            for (Future<Attempt> result : results) {
                Attempt attempt = result.get();
                if (attempt.opened()) {
                    opened++;
                } else {
                    assertRefusedWith503(attempt);
                }
            }
            assertEquals(max, opened);
            for (Future<Attempt> result : results) {
                result.get().socket().close();
            }
            pool.shutdown();
        }
    }

    @Test
    void oneAddressOverMaxConnectionsPerIpIsRefusedWhileAnotherIsServed() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("MAX_CONNECTIONS_PER_IP", "2"))) {
            List<RawWebSocket> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Attempt attempt = attempt(RawWebSocket.connectFrom("127.0.0.1", server.wsPort()));
                assertTrue(attempt.opened(), attempt.head());
                held.add(attempt.socket());
            }
            try (RawWebSocket third = RawWebSocket.connectFrom("127.0.0.1", server.wsPort())) {
                Attempt refused = attempt(third);
                assertRefusedWith503(refused);
                assertTrue(third.readToEnd().contains("MAX_CONNECTIONS_PER_IP"));
            }
            Attempt other = attempt(RawWebSocket.connectFrom("127.0.0.2", server.wsPort()));
            assertTrue(other.opened(), "another address still gets in: " + other.head());
            other.socket().close();
            for (RawWebSocket socket : held) {
                socket.close();
            }
        }
    }
}
