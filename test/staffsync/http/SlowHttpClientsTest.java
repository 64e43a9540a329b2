package staffsync.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import staffsync.support.ServerProcess;

/**
 * Slowloris on the HTTP port: clients that send their request headers a line at a time, never
 * finishing. They must not keep /health, /ready and /metrics from anyone else, and a request that
 * takes longer than HTTP_REQUEST_TIMEOUT_SECONDS is cut off.
 */
class SlowHttpClientsTest {

    /** A raw socket that has sent a request line and keeps adding a header now and then. */
    static final class SlowClient implements AutoCloseable {
        final Socket socket = new Socket();
        private int headers;

        SlowClient(URI server) throws IOException {
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5_000);
            write("GET /health HTTP/1.1\r\nHost: " + server.getHost() + "\r\n");
        }

        /** One more header line; false once the server has closed the connection. */
        boolean trickle() {
            try {
                write("X-Slow-" + headers++ + ": still sending\r\n");
                return true;
            } catch (IOException closed) {
                return false;
            }
        }

        private void write(String text) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** True when the server closed the connection (end of stream or reset) within the wait. */
        boolean closedByServerWithin(Duration wait) throws IOException {
            socket.setSoTimeout((int) wait.toMillis());
            try {
                InputStream in = socket.getInputStream();
                while (true) {
                    if (in.read() < 0) {
                        return true;
                    }
                }
            } catch (SocketTimeoutException stillOpen) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void fiftySlowClientsDoNotKeepHealthReadyAndMetricsFromOthers() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("HTTP_REQUEST_TIMEOUT_SECONDS", "120"))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
            // Warm up this client (its first request sets it up) so the figures below are the server's.
            assertEquals(200, http.send(HttpRequest.newBuilder(server.httpUri("/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            List<SlowClient> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    slow.add(new SlowClient(server.httpUri("/health")));
                }
                Thread.sleep(500); // pacing the slowloris: the next header line comes half a second later
                slow.forEach(SlowClient::trickle);
                for (String path : List.of("/health", "/ready", "/metrics", "/health")) {
                    long started = System.nanoTime();
                    // A generous bound for a shared, noisy machine; without the fix these never answer
                    // while the slow clients keep sending.
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.httpUri(path))
                            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                    System.out.printf("%s answered in %.1f ms with 50 slow clients%n", path,
                            (System.nanoTime() - started) / 1e6);
                    assertEquals(200, response.statusCode(), path + ": " + response.body());
                    slow.forEach(SlowClient::trickle);
                }
                for (SlowClient client : slow) {
                    assertTrue(client.trickle(), "the slow clients were still connected throughout");
                }
            } finally {
                for (SlowClient client : slow) {
                    client.close();
                }
            }
        }
    }

    @Test
    void aRequestStillArrivingAfterTheRequestTimeoutIsCutOff() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("HTTP_REQUEST_TIMEOUT_SECONDS", "2"));
             SlowClient slow = new SlowClient(server.httpUri("/health"))) {
            long started = System.nanoTime();
            boolean closed = false;
            while (!closed && System.nanoTime() - started < Duration.ofSeconds(15).toNanos()) {
                slow.trickle();
                closed = slow.closedByServerWithin(Duration.ofMillis(500));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            assertTrue(closed, "still open after " + seconds + " s");
            assertTrue(seconds >= 1.5, "not before the timeout: " + seconds + " s");
        }
    }
}
