package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import staffsync.support.Json;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * A real "disk full" for the real process: lowering the running server's file-size limit
 * (RLIMIT_FSIZE, with util-linux prlimit) makes every write past that size fail with EFBIG,
 * the way ENOSPC fails it, without filling the machine's disk. Raising it again is space
 * coming back. (The JVM ignores SIGXFSZ, so the write fails instead of the process dying.)
 */
class FullDiskServerTest {
    @TempDir
    Path dir;

    @Test
    void aFullDiskRefusesChangesTurnsReadyOffAndRecoversWhenSpaceReturns() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs util-linux prlimit");
        Path data = dir.resolve("data");
        Map<String, String> env = Map.of("STORE", "file", "DATA_DIR", data.toString());
        try (ServerProcess server = ServerProcess.start(env);
             WsClient client = WsClient.connect(server.wsUri(), "writer")) {
            client.ack();
            create(client, "before");
            client.next("STAFF_CREATE");
            assertEquals(200, ready(server));

            long full = Files.size(LogFiles.onlySegment(data)) + 10; // no room for another record
            fileSizeLimit(server, Long.toString(full));
            create(client, "refused");
            JsonObject refused = client.next("ERROR");
            assertEquals("STORE_UNAVAILABLE", Json.payload(refused).get("code").getAsString());
            assertEquals(503, ready(server));

            fileSizeLimit(server, "unlimited");
            long deadline = System.currentTimeMillis() + 10_000;
            while (ready(server) != 200 && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(200, ready(server));
            create(client, "after");
            JsonObject after = client.next("STAFF_CREATE");
            assertEquals(2, Json.seq(after), "the refused change must not have used a sequence number");
            server.kill();
        }
        try (ServerProcess server = ServerProcess.start(env);
             WsClient client = WsClient.connect(server.wsUri(), "reader")) {
            assertEquals(2, Json.payload(client.ack()).get("sequenceNumber").getAsLong());
            client.send("SYNC_REQUEST", "{}");
            String rows = Json.payload(client.next("SYNC_RESPONSE")).getAsJsonArray("staff").toString();
            assertTrue(rows.contains("\"before\"") && rows.contains("\"after\"") && !rows.contains("\"refused\""), rows);
        }
    }

    private static void create(WsClient client, String id) {
        client.send("STAFF_CREATE", "{\"staff\":{\"id\":\"" + id + "\",\"name\":\"Staff " + id + "\"}}");
    }

    /** Sets the server's soft RLIMIT_FSIZE (the hard limit stays unlimited, so no privilege is needed). */
    private static void fileSizeLimit(ServerProcess server, String soft) throws IOException, InterruptedException {
        Process prlimit = new ProcessBuilder("/usr/bin/prlimit", "--pid", Long.toString(server.process().pid()),
                "--fsize=" + soft + ":unlimited").redirectErrorStream(true).start();
        String output = new String(prlimit.getInputStream().readAllBytes());
        assertTrue(prlimit.waitFor(10, TimeUnit.SECONDS) && prlimit.exitValue() == 0, "prlimit failed: " + output);
    }

    private static int ready(ServerProcess server) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.httpUri("/ready"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
