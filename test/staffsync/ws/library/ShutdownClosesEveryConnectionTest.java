package staffsync.ws.library;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.java_websocket.server.WebSocketServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import staffsync.metrics.Metrics;
import staffsync.support.WsClient;

/**
 * A stopping server closes every connection with 1001, however its shutdown interleaves with
 * Java-WebSocket's selector thread.
 *
 * <p>The race (issue 10, 3 of 27 bench runs with 1,000 connections): the library's
 * {@code stop()} tells its selector to end, then closes the connections one by one; the selector,
 * seeing 25 ms without socket activity, closes itself meanwhile, and every close after that is
 * lost (or ends {@code stop()} with a ClosedSelectorException). Here the race is made certain
 * rather than likely: the second close that happens inside the library's {@code stop()} is held
 * until the selector has ended. (The second: the selector sleeps until something wakes it, and
 * the first close's write demand is what does.)
 */
class ShutdownClosesEveryConnectionTest {
    static final String PATH = "/shutdown-test";

    final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    final List<WsClient> clients = new ArrayList<>();
    LibraryServer<SilentConnection> server;

    @AfterEach
    void cleanUp() {
        clients.forEach(WsClient::close);
        timers.shutdownNow();
    }

    @Test
    void everyClientGets1001EvenWhenTheSelectorEndsWhileTheLibraryIsStillClosing() throws Exception {
        server = new LibraryServer<>(new LibraryServer.Settings("127.0.0.1", 0, List.of(new UpgradeRequestCheck(PATH)),
                65_536, 5_000, 0, 3_600), new HoldingStopUntilTheSelectorEnds(), new Metrics(), timers,
                new SocketLimit(1_000));
        int port = server.startAndAwait();
        for (int i = 0; i < 3; i++) {
            clients.add(WsClient.connect(URI.create("ws://127.0.0.1:" + port + PATH), "c" + i));
        }

        server.shutdown(4_000);

        for (WsClient client : clients) {
            assertEquals(1001, client.awaitClose(), "every client is told the server is going away");
        }
    }

    /**
     * The app's side, reduced to what a close needs: it has nothing of its own to write (the
     * opening ping it is handed is dropped; these clients need none).
     */
    static final class SilentConnection implements LibrarySocket.OwnWritePath {
        @Override
        public void enqueue(ByteBuffer frame) {
        }

        @Override
        public void enqueueControl(ByteBuffer frame) {
        }

        @Override
        public void handOver(Consumer<ByteBuffer> library, Runnable queueCloseFrame) {
            queueCloseFrame.run();
        }

        @Override
        public boolean hasQueued() {
            return false;
        }
    }

    /** Holds the second close made inside the library's stop() until its selector has ended. */
    final class HoldingStopUntilTheSelectorEnds implements LibrarySocket.Events<SilentConnection> {
        private int closesInsideStop; // the stopping thread's only

        @Override
        public SilentConnection newConnection(LibrarySocket socket) {
            return new SilentConnection();
        }

        @Override
        public void opened(SilentConnection connection, HandshakeRequest request) {
        }

        @Override
        public void text(SilentConnection connection, String message) {
        }

        @Override
        public void binary(SilentConnection connection) {
        }

        @Override
        public void closing(SilentConnection connection, int code, String reason) {
            if (!insideLibraryStop() || ++closesInsideStop != 2) {
                return;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.selectorRunning() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }

        @Override
        public void closed(SilentConnection connection, int code, String reason) {
        }

        private static boolean insideLibraryStop() {
            return Arrays.stream(Thread.currentThread().getStackTrace()).anyMatch(frame ->
                    frame.getClassName().equals(WebSocketServer.class.getName()) && frame.getMethodName().equals("stop"));
        }
    }
}
