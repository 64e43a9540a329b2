package staffsync.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real server: {@code java -jar build/staff-sync.jar} as a child process on free ports,
 * with its log lines captured. Tests use it the way a user would, down to SIGTERM and kill -9.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern BOUND = Pattern.compile("bound ports websocket=(\\d+) http=(\\d+)");

    private final Process process;
    private final List<String> logLines = new ArrayList<>(); // guarded by itself
    private final CountDownLatch bound = new CountDownLatch(1);
    private volatile int wsPort;
    private volatile int httpPort;

    private final Thread reader;

    private ServerProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::readLog, "server-log-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** The jar under test: -Dstaffsync.jar, else build/staff-sync.jar. */
    public static Path jar() {
        return Path.of(System.getProperty("staffsync.jar", "build/staff-sync.jar")).toAbsolutePath();
    }

    /**
     * How the server's JVM is started: its options, and an open-files limit for the process (set
     * with the shell's {@code ulimit -n}, soft and hard; 0 keeps the inherited one).
     */
    public record Jvm(List<String> options, int openFilesLimit) {
        public static final Jvm DEFAULT = new Jvm(List.of("-Xmx256m"), 0);

        public Jvm {
            options = List.copyOf(options);
        }
    }

    /** Starts the server on free loopback ports with an in-memory store, plus the given variables. */
    public static ServerProcess start(Map<String, String> env) throws IOException, InterruptedException {
        return start(env, Jvm.DEFAULT);
    }

    /** As {@link #start(Map)}, in a JVM started the given way. */
    public static ServerProcess start(Map<String, String> env, Jvm jvm) throws IOException, InterruptedException {
        ServerProcess server = launch(env, jvm);
        if (!server.bound.await(30, TimeUnit.SECONDS)) {
            String log = server.log();
            server.close();
            throw new IllegalStateException("server did not report its ports within 30 s; log:\n" + log);
        }
        return server;
    }

    public static ServerProcess start() throws IOException, InterruptedException {
        return start(Map.of());
    }

    /** Starts the process without waiting for it to bind (for startup-failure tests). */
    public static ServerProcess launch(Map<String, String> env, String... args) throws IOException {
        return launch(env, Jvm.DEFAULT, args);
    }

    public static ServerProcess launch(Map<String, String> env, Jvm jvm, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        if (jvm.openFilesLimit() > 0) {
            // The shell sets the limit and then becomes the JVM (exec): the process is still the server.
            command.addAll(List.of("bash", "-c", "ulimit -n " + jvm.openFilesLimit() + " && exec \"$@\"", "bash"));
        }
        command.add(javaBinary());
        command.addAll(jvm.options());
        command.addAll(List.of("-jar", jar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("SUPABASE_") || key.startsWith("REDIS_") || key.equals("STORE")
                || key.equals("DATA_DIR"));
        Map<String, String> defaults = new HashMap<>(Map.of("HOST", "127.0.0.1", "PORT", "0", "HTTP_PORT", "0",
                "STORE", "memory"));
        defaults.putAll(env);
        environment.putAll(defaults);
        return new ServerProcess(builder.start());
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void readLog() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (logLines) {
                    logLines.add(line);
                }
                if (System.getenv("STAFFSYNC_TEST_ECHO_LOG") != null) {
                    System.out.println("[server] " + line);
                }
                Matcher matcher = BOUND.matcher(line);
                if (matcher.find()) {
                    wsPort = Integer.parseInt(matcher.group(1));
                    httpPort = Integer.parseInt(matcher.group(2));
                    bound.countDown();
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    public URI wsUri() {
        return URI.create("ws://127.0.0.1:" + wsPort + "/staff-sync");
    }

    public URI wsUri(String path) {
        return URI.create("ws://127.0.0.1:" + wsPort + path);
    }

    public int wsPort() {
        return wsPort;
    }

    public URI httpUri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    /** The server's /metrics text. */
    public String metrics() throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(httpUri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of one sample in /metrics text, such as {@code name{label="x"}}; fails when absent. */
    public static long metricSample(String metricsText, String sample) {
        for (String line : metricsText.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Long.parseLong(line.substring(sample.length() + 1).trim());
            }
        }
        throw new AssertionError("no sample " + sample + " in:\n" + metricsText);
    }

    public String log() {
        synchronized (logLines) {
            return String.join("\n", logLines);
        }
    }

    public Process process() {
        return process;
    }

    /** SIGTERM, as `kill PID` or a container stop sends. */
    public void terminate() {
        // Through the ProcessHandle: Process.destroy() would also close our end of its output,
        // and the log lines the shutdown writes would be lost.
        process.toHandle().destroy();
    }

    /** SIGKILL: no shutdown hook, no flush, like a power cut for the process. */
    public void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** The exit code, or -1 if it has not exited within the timeout. */
    public int awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
        if (!process.waitFor(timeout, unit)) {
            return -1;
        }
        reader.join(5_000); // the last log lines
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
