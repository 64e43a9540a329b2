package staffsync.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import staffsync.support.ServerProcess;

/**
 * A server whose WebSocket listener has died can never be reached again, however healthy the
 * rest of it is: the process ends (status 1) so that a supervisor restarts it, and the log says
 * why. The listener is killed from outside, as the kernel would: {@code ss -K} destroys the
 * listening socket (SOCK_DESTROY), the next accept fails, and Java-WebSocket then closes the
 * listening channel for good.
 */
class ListenerDeathTest {
    @Test
    void theProcessEndsWithStatusOneWhenItsWebSocketListenerIsDestroyed() throws Exception {
        Assumptions.assumeTrue(canDestroySockets(), "ss -K cannot destroy sockets here (needs root and"
                + " a kernel with CONFIG_INET_DIAG_DESTROY)");
        try (ServerProcess server = ServerProcess.start()) {
            destroyListeningSocket(server.wsPort());
            int status = server.awaitExit(30, TimeUnit.SECONDS);
            assertEquals(1, status, "exit status (-1: still running); log:\n" + server.log());
            assertTrue(server.log().contains("WebSocket listener") && server.log().contains("exiting with status 1"),
                    "the log says why:\n" + server.log());
        }
    }

    /** True when {@code ss -K} destroys a listening socket of this test process. */
    private static boolean canDestroySockets() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
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
