package staffsync.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * When Java-WebSocket closes the WebSocket listener (it does on any failing {@code accept()}),
 * the server opens a new one on the same port at once, and the clients it had stay connected and
 * served; only when the port cannot be had again does the process end (status 1) so that a
 * supervisor restarts it. The listener is killed from outside, as the kernel would: {@code ss -K}
 * destroys the listening socket (SOCK_DESTROY), the next accept fails, and Java-WebSocket then
 * closes the listening channel for good.
 */
class ListenerDeathTest {
    @BeforeEach
    void needsSocketDestroy() throws Exception {
        Assumptions.assumeTrue(canDestroySockets(), "ss -K cannot destroy sockets here (needs root and"
                + " a kernel with CONFIG_INET_DIAG_DESTROY)");
    }

    @Test
    void aListenerClosedByTheLibraryIsOpenedAgainOnTheSamePortWhileItsClientsStayServed() throws Exception {
        try (ServerProcess server = ServerProcess.start();
             WsClient before = WsClient.connect(server.wsUri(), "before")) {
            assertEquals("CONNECTION_ACK", Json.type(before.ack()));

            destroyListeningSocket(server.wsPort());
            awaitLog(server, "is open again after");

            try (WsClient after = WsClient.connect(server.wsUri(), "after")) {
                assertEquals("CONNECTION_ACK", Json.type(after.ack()), "a new client connects on the same port");
                after.send("STAFF_CREATE", """
                        {"staff": {"id": "s-reopened", "name": "Ada", "position": "Nurse", "period": 1}}""");
                String created = after.nextText("STAFF_CREATE");
                assertEquals(created, before.nextText("STAFF_CREATE"),
                        "the client connected before the listener died is still served");
            }
            assertEquals(200, server.get("/ready").statusCode(), server.get("/ready").body());
            assertEquals(-1, server.awaitExit(0, TimeUnit.SECONDS), "still running:\n" + server.log());
            assertEquals(1, occurrences(server.log(), "opening a new listener on"), "logged once:\n" + server.log());
            assertFalse(server.log().contains("exiting with status"), server.log());
        }
    }

    @Test
    void aSigtermAfterReopeningClosesTheClientsOfTheOldAndTheNewListenerWith1001() throws Exception {
        try (ServerProcess server = ServerProcess.start();
             WsClient before = WsClient.connect(server.wsUri(), "before")) {
            before.ack();
            destroyListeningSocket(server.wsPort());
            awaitLog(server, "is open again after");
            try (WsClient after = WsClient.connect(server.wsUri(), "after")) {
                after.ack();
                server.terminate();
                assertEquals(1001, before.awaitClose(), "the old listener's client");
                assertEquals(1001, after.awaitClose(), "the new listener's client");
                assertEquals(0, server.awaitExit(30, TimeUnit.SECONDS), server.log());
            }
        }
    }

    @Test
    void theProcessEndsWithStatusOneWhenTheClosedListenersPortCannotBeHadAgain() throws Exception {
        try (ServerProcess server = ServerProcess.start()) {
            int port = server.wsPort();
            // Takes the port the moment the destroyed listener lets go of it, before the server's
            // check (every 100 ms) can open a new one there.
            AtomicReference<ServerSocket> taken = new AtomicReference<>();
            Thread taker = new Thread(() -> takePort(port, taken), "port-taker");
            taker.start();
            try {
                destroyListeningSocket(port);
                taker.join(10_000);
                Assumptions.assumeTrue(taken.get() != null, "the server opened its listener again before this"
                        + " test could take the port; nothing to see this time");

                int status = server.awaitExit(30, TimeUnit.SECONDS);
                assertEquals(1, status, "exit status (-1: still running); log:\n" + server.log());
                assertTrue(server.log().contains("could not be opened again on port " + port)
                        && server.log().contains("exiting with status 1"), "the log says why:\n" + server.log());
            } finally {
                taker.interrupt();
                taker.join();
                if (taken.get() != null) {
                    taken.get().close();
                }
            }
        }
    }

    /** Binds the port as soon as it is free, for up to 10 s. */
    private static void takePort(int port, AtomicReference<ServerSocket> taken) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            try {
                ServerSocket socket = new ServerSocket();
                try {
                    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    taken.set(socket);
                    return;
                } catch (IOException inUse) {
                    socket.close();
                }
            } catch (IOException unexpected) {
                return;
            }
        }
    }

    private static void awaitLog(ServerProcess server, String line) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!server.log().contains(line)) {
            if (System.nanoTime() > deadline || server.awaitExit(0, TimeUnit.SECONDS) != -1) {
                throw new AssertionError("the log never said '" + line + "':\n" + server.log());
            }
            Thread.sleep(20);
        }
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    /** True when {@code ss -K} destroys a listening socket of this test process. */
    private static boolean canDestroySockets() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            destroyListeningSocket(probe.getLocalPort());
            probe.setSoTimeout(1);
            try {
                probe.accept().close();
                return false;
            } catch (java.net.SocketTimeoutException stillListening) {
                return false;
            } catch (IOException destroyed) {
                return true; // accept on a destroyed listener fails (EINVAL)
            }
        } catch (IOException noSs) {
            return false;
        }
    }

    private static void destroyListeningSocket(int port) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-K", "-t", "-l", "sport = :" + port)
                .redirectErrorStream(true).start();
        String output = new String(ss.getInputStream().readAllBytes());
        if (!ss.waitFor(10, TimeUnit.SECONDS) || ss.exitValue() != 0) {
            throw new IOException("ss -K failed: " + output);
        }
    }
}
