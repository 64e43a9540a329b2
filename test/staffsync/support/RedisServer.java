package staffsync.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocketFactory;
import staffsync.redis.Redis;
import staffsync.redis.RedisUrl;

/**
 * A real redis-server (Debian's package; {@code make test} installs it when missing) as a child
 * process on a free loopback port, with its data directory in a temporary folder. It can be
 * stopped and started again on the same port, keeping its data ({@link #stopKeepingData}) or
 * not ({@link #stopLosingData}), as an outage or a lost volume would.
 */
public final class RedisServer implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final List<String> extraArgs;
    private final boolean tls;
    private final List<String> log = new ArrayList<>(); // guarded by itself
    private Process process;

    private RedisServer(Path dir, int port, List<String> extraArgs, boolean tls) {
        this.dir = dir;
        this.port = port;
        this.extraArgs = extraArgs;
        this.tls = tls;
    }

    /** Starts one; {@code extraArgs} are more redis-server options, such as "--requirepass", "x". */
    public static RedisServer start(String... extraArgs) throws IOException, InterruptedException {
        RedisServer server = new RedisServer(Files.createTempDirectory("staffsync-redis"), freePort(), List.of(extraArgs),
                false);
        server.launch();
        return server;
    }

    /** Starts one that speaks only TLS, with this certificate (PEM) and its key. */
    public static RedisServer startWithTls(Path certificate, Path key) throws IOException, InterruptedException {
        RedisServer server = new RedisServer(Files.createTempDirectory("staffsync-redis"), freePort(),
                List.of("--tls-cert-file", certificate.toString(), "--tls-key-file", key.toString(),
                        "--tls-auth-clients", "no"), true);
        server.launch();
        return server;
    }

    /** redis://127.0.0.1:PORT/0 (rediss:// for a TLS server) */
    public String url() {
        return (tls ? "rediss" : "redis") + "://127.0.0.1:" + port + "/0";
    }

    public int port() {
        return port;
    }

    /** A client for the test's own checks; the caller closes it. */
    public Redis client() {
        return new Redis(RedisUrl.parse(url()), Duration.ofSeconds(5), (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Writes its data to disk and stops (SHUTDOWN SAVE): a restart finds every key again. */
    public void stopKeepingData() throws IOException, InterruptedException {
        try (Redis redis = client()) {
            redis.call("SHUTDOWN", "SAVE");
        } catch (IOException e) {
            // SHUTDOWN closes the connection instead of answering
        }
        awaitExit();
    }

    /** Stops at once (SIGKILL) and deletes its data: a restart begins empty. */
    public void stopLosingData() throws IOException, InterruptedException {
        process.destroyForcibly();
        awaitExit();
        Files.deleteIfExists(dir.resolve("dump.rdb"));
    }

    /** Starts again on the same port and directory. */
    public void restart() throws IOException, InterruptedException {
        if (isRunning()) {
            throw new IllegalStateException("redis-server is still running");
        }
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        List<String> ports = tls ? List.of("--port", "0", "--tls-port", Integer.toString(port))
                : List.of("--port", Integer.toString(port));
        List<String> command = new ArrayList<>(List.of(binary()));
        command.addAll(ports);
        command.addAll(List.of(
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--dbfilename", "dump.rdb",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes"));
        command.addAll(extraArgs);
        synchronized (log) {
            log.clear(); // "ready" must come from this run
        }
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> readLog(process), "redis-log-reader");
        reader.setDaemon(true);
        reader.start();
        awaitReady();
    }

    private static String binary() {
        for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("redis-server is not installed: run test/ensure-redis-server.sh as root"
                + " (make test does), or apt-get install redis-server");
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            synchronized (log) {
                if (log.stream().anyMatch(line -> line.contains("Ready to accept connections"))) {
                    return;
                }
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("redis-server did not become ready on port " + port + "; log:\n" + log());
    }

    private void awaitExit() throws InterruptedException {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void readLog(Process owner) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (log) {
                    log.add(line);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    public String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
