package staffsync.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * {@code /ready} tells the truth about the hub: 503 while events wait and the hub takes none.
 * The hub thread of the real server process is stopped from outside, with the JDK's debugger
 * interface (the way a deadlock or an endless loop would stop it), so the server carries no
 * test hook of its own.
 */
class HubStallReadinessTest {
    private static final Pattern DEBUG_PORT = Pattern.compile("Listening for transport dt_socket at address: (\\d+)");
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void readyIs503WhileEventsWaitForAStoppedHubAnd200AgainOnceItMoves() throws Exception {
        ServerProcess.Jvm debuggable = new ServerProcess.Jvm(List.of("-Xmx256m",
                "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0"), 0);
        try (ServerProcess server = ServerProcess.start(Map.of("HUB_STALL_TIMEOUT_MS", "500"), debuggable);
             WsClient client = WsClient.connect(server.wsUri(), "c")) {
            client.ack();
            // Idle for twice the timeout, asking all along (the time passing is what is tested):
            // an idle hub is not a stalled one.
            long idleUntil = System.nanoTime() + Duration.ofMillis(1_000).toNanos();
            do {
                assertEquals(200, ready(server).statusCode(), "an idle hub is not a stalled one");
                Thread.sleep(50); // pacing the questions
            } while (System.nanoTime() < idleUntil);

            VirtualMachine vm = attach(server);
            try {
                ThreadReference hub = vm.allThreads().stream().filter(t -> t.name().equals("hub")).findFirst()
                        .orElseThrow();
                hub.suspend();
                client.send("SYNC_REQUEST", "{}");
                HttpResponse<String> stalled = awaitStatus(server, 503);
                assertTrue(stalled.body().contains("the hub has taken no event"), stalled.body());

                hub.resume();
                client.next("SYNC_RESPONSE");
                awaitStatus(server, 200);
            } finally {
                vm.dispose();
            }
        }
    }

    private HttpResponse<String> ready(ServerProcess server) throws Exception {
        return http.send(HttpRequest.newBuilder(server.httpUri("/ready")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> awaitStatus(ServerProcess server, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        HttpResponse<String> response = ready(server);
        while (response.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(50);
            response = ready(server);
        }
        assertEquals(status, response.statusCode(), response.body());
        return response;
    }

    private static VirtualMachine attach(ServerProcess server) throws Exception {
        Matcher port = DEBUG_PORT.matcher(server.log());
        assertTrue(port.find(), "the debug agent's port is in the log:\n" + server.log());
        AttachingConnector connector = Bootstrap.virtualMachineManager().attachingConnectors().stream()
                .filter(c -> c.name().equals("com.sun.jdi.SocketAttach")).findFirst().orElseThrow();
        Map<String, Connector.Argument> arguments = connector.defaultArguments();
        arguments.get("hostname").setValue("127.0.0.1");
        arguments.get("port").setValue(port.group(1));
        return connector.attach(arguments);
    }
}
