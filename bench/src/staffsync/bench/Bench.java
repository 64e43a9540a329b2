package staffsync.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The benchmark driver behind {@code make bench}: starts each server (staff-sync, the Go design,
 * Node ws) as its own process, runs the load generator against it, samples the server's /proc,
 * and interleaves the servers run by run. Writes a table, a JSON file and a PNG chart.
 *
 * <p>Settings come from system properties (bench/bench.sh sets them): bench.jar, bench.jvmFlags,
 * bench.go, bench.nodeDir, bench.out, bench.quick, bench.runs, bench.scenarios, bench.servers,
 * bench.storeBenchCp, bench.auth (jwt or rs256: scenario (c) also as staff-sync/jwt, tokens ES256 or RS256),
 * bench.standInCp (scenario (r): the PostgREST stand-in's classes).
 */
public final class Bench {
    static final String OURS = "staff-sync";
    static final String GO = "go-hub";
    static final String NODE = "node-ws";
    /** staff-sync on the memory store, next to the default (file) in the throughput scenarios. */
    static final String OURS_MEMORY = "staff-sync/memory";
    /** staff-sync from another jar (BENCH_BASELINE_JAR), same store and flags: an A/B in one run. */
    static final String OURS_BASELINE = "staff-sync/baseline";
    /** The limits meant for people, lifted in the throughput scenarios only (and said so in the results). */
    static final Map<String, String> LIFTED_LIMITS = liftedLimits();
    /** staff-sync with AUTH_MODE=jwt, each connection with its own ES256 token (BENCH_AUTH=jwt, scenario (c)). */
    static final String OURS_JWT = "staff-sync/jwt";
    /** The baseline (BENCH_BASELINE_JAR / BENCH_BASELINE_JVM_FLAGS) with AUTH_MODE=jwt too: both sides of an A/B pay for tokens. */
    static final String OURS_BASELINE_JWT = "staff-sync/baseline/jwt";
    /** Scenario (f)'s two measurements on one server: the event stream alone, then during the sync storm. */
    /** (f): the event stream with only its own clients connected. */
    static final String OURS_ALONE = "staff-sync alone";
    /** (f): the same with the storm's clients connected, idle. */
    static final String OURS_QUIET = "staff-sync quiet";
    static final String OURS_STORM = "staff-sync storm";
    /** Scenario (r), several instances (issue 13): one instance on the Supabase store (the PostgREST stand-in). */
    static final String OURS_SUPABASE = "staff-sync/supabase";
    /** Scenario (r): one instance on the Supabase store, publishing through Redis (REDIS_URL). */
    static final String OURS_REDIS = "staff-sync/redis";
    /** Scenario (r): two instances through Redis, every other connection on the second one. */
    static final String OURS_TWO = "staff-sync/2x-redis";

    private final boolean quick = Boolean.getBoolean("bench.quick");
    private final int runs = Integer.getInteger("bench.runs", quick ? 1 : 3);
    private final Path out = Path.of(System.getProperty("bench.out", "bench/out"));
    private final List<String> servers = List.of(System.getProperty("bench.servers", OURS + "," + GO + "," + NODE).split(","));
    private final String scenarios = System.getProperty("bench.scenarios", "apbwcdef");
    /** Scenario (f): rows of 200-character fields, and clients asking for all of them at once. */
    private final int stormRows = Integer.getInteger("bench.stormRows", quick ? 20_000 : 100_000);
    private final int stormClients = Integer.getInteger("bench.stormClients", quick ? 50 : 200);
    /**
     * Where (f)'s storm clients run (BENCH_STORM_PROCESS): {@code own} (a JVM of their own, the
     * default: 200 clients reading 256 MiB/s are not slowed down by, nor slow down, the garbage
     * collector and threads of the load generator that measures the others) or {@code same}
     * (threads of the bench's JVM, as before 2026-12-02's third session).
     */
    private final String stormProcess = System.getProperty("bench.stormProcess", "own");
    /** How long (f)'s storm clients may take (BENCH_STORM_TIMEOUT_MS): those not done by then count as failed. */
    private final long stormTimeoutMs = Long.getLong("bench.stormTimeoutMs", 600_000);
    private final long clockTicks = clockTicks();
    /** bench.auth: off, jwt (ES256 tokens) or rs256. */
    private final String authMode = System.getProperty("bench.auth", "off");
    private final boolean compareJwt = authMode.equals("jwt") || authMode.equals("rs256");
    /** Made on first use by a staff-sync/jwt run; main thread only. */
    private BenchAuth auth;
    private int runCounter;

    /**
     * {@code store}: the store staff-sync runs on in this scenario (memory or file).
     * {@code throughput}: as fast as the window allows, so the per-connection and server-wide rate
     * limits are lifted ({@link #LIFTED_LIMITS}) and staff-sync also runs on the memory store ((f), run
     * apart, only lifts the limits, for its seeder).
     * {@code pinned}: every server on CPU 0 and the load generator on CPU 1 (taskset).
     */
    record Scenario(String id, String title, String store, boolean throughput, boolean pinned, LoadGen.Spec spec) {}

    record RunResult(String scenario, String server, int run, Map<String, Object> figures, Histogram latency) {}

    public static void main(String[] args) throws Exception {
        new Bench().run();
    }

    private List<Scenario> scenarios(boolean full) {
        long warm = quick ? 1_000 : 2_000;
        long measureA = quick ? 3_000 : 10_000;
        long measureB = quick ? 5_000 : 15_000;
        int threads = Integer.getInteger("bench.ioThreads", 2);
        int window = Integer.getInteger("bench.window", 64);
        List<Scenario> list = new ArrayList<>();
        LoadGen.Spec a = new LoadGen.Spec("127.0.0.1", 0, full, 100, 1, 0, window, 300, warm, measureA, 5_000, 0, 0, 0,
                false, threads, "");
        String lifted = " (rate limits lifted: " + String.join(", ", LIFTED_LIMITS.keySet()) + ")";
        list.add(new Scenario("a", "100 subscribers, 1 publisher, as fast as possible (window " + window + "), 300-byte messages"
                + lifted, "file", true, false, a));
        list.add(new Scenario("p", "(a) pinned: each server on CPU 0, the load generator on CPU 1 (taskset)" + lifted,
                "file", true, true, a));
        list.add(new Scenario("b", "1000 subscribers, 10 publishers at 10 updates/s each", "file", false, false,
                new LoadGen.Spec("127.0.0.1", 0, full, 1000, 10, 10, 0, 300, warm, measureB, 5_000, 0, 0, 0, false, threads, "")));
        // The first seconds, as a user sees them: (b) against a server started just before, measured
        // from the first update for 15 s (also with QUICK), JIT warm-up included.
        list.add(new Scenario("w", "(b) from a cold start: the first 15 s, no warm-up excluded", "file", false, false,
                new LoadGen.Spec("127.0.0.1", 0, full, 1000, 10, 10, 0, 300, 0, 15_000, 5_000, 0, 0, 0, false, threads, "")));
        list.add(new Scenario("c", "10,000 idle connections held " + (quick ? 3 : 10) + " s, then one broadcast", "file",
                false, false, new LoadGen.Spec("127.0.0.1", 0, full, 10_000, 1, 0, 0, 300, 0, 0, 10_000, 0, 0,
                        quick ? 3_000 : 10_000, true, threads, "")));
        list.add(new Scenario("d", "(b) with one subscriber that stops reading after 1 s", "file", false, false,
                new LoadGen.Spec("127.0.0.1", 0, full, 1000, 10, 10, 0, 300, warm, measureB, 5_000, 1, 1_000, 0, false, threads, "")));
        // (f) lifts the write limits too: its seeder creates the rows from one connection as fast as the
        // server answers, where MAX_WRITES_PER_SECOND's default would refuse all but 1,000 a second. The
        // event streams it measures stay at 100 updates/s, within the defaults.
        list.add(new Scenario("f", String.format(Locale.ROOT, "sync storm: %,d rows of 200-character fields, %d clients "
                + "ask for all of them at once, while 100 others receive 10 publishers x 10 updates/s (measured alone, "
                + "with the %d connected and idle, and in the storm)", stormRows, stormClients,
                stormClients) + lifted, "memory", true, false,
                new LoadGen.Spec("127.0.0.1", 0, full, 100, 10, 10, 0, 300, warm, quick ? 8_000 : 20_000, 5_000, 0, 0, 0,
                        false, threads, "")));
        // Several instances as one server (issue 13): (b) on the Supabase store three ways. Not in the
        // default list: it needs redis-server and takes three runs of (b) per round.
        list.add(new Scenario("r", "(b) on the Supabase store (PostgREST stand-in): one instance; one with Redis;"
                + " connections split over two instances with Redis", "supabase", false, false,
                new LoadGen.Spec("127.0.0.1", 0, full, 1000, 10, 10, 0, 300, warm, measureB, 5_000, 0, 0, 0, false, threads, "")));
        return list;
    }

    private void run() throws Exception {
        Files.createDirectories(out.resolve("logs"));
        Map<String, Object> report = new LinkedHashMap<>();
        String stamp = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        report.put("date", stamp);
        report.put("machine", machine());
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("quick", quick);
        settings.put("runsPerServer", runs);
        settings.put("staffSyncJvmFlags", (System.getProperty("bench.jvmFlags", "") + " "
                + String.join(" ", classDataSharing(System.getProperty("bench.jar", "build-bench/staff-sync.jar")))).trim());
        settings.put("staffSyncStore", "file (durable, fsync per group commit), the default; in the throughput "
                + "scenarios (a) and (p) also " + OURS_MEMORY);
        settings.put("staffSyncEnv", oursEnvironment(0, Path.of("DATA_DIR"), "file", false));
        settings.put("staffSyncEnvThroughputScenarios", LIFTED_LIMITS);
        report.put("settings", settings);
        List<RunResult> results = new ArrayList<>();
        List<Map<String, Object>> scenarioInfo = new ArrayList<>();
        for (Scenario template : scenarios(true)) {
            if (scenarios.indexOf(template.id()) < 0) {
                continue;
            }
            scenarioInfo.add(Map.of("id", template.id(), "title", template.title()));
            System.out.printf("%n== (%s) %s%n", template.id(), template.title());
            if (template.id().equals("f")) {
                // Only staff-sync speaks the protocol's sync; the peers only relay broadcasts.
                for (int r = 1; r <= runs && servers.contains(OURS); r++) {
                    for (RunResult result : runSyncStorm(template, r)) {
                        results.add(result);
                        System.out.println("   " + oneLine(result));
                    }
                }
                continue;
            }
            if (template.id().equals("r")) {
                // staff-sync alone (the peers have no store), the three ways interleaved run by run.
                for (int r = 1; r <= runs && servers.contains(OURS); r++) {
                    for (String server : List.of(OURS_SUPABASE, OURS_REDIS, OURS_TWO)) {
                        RunResult result = runCluster(template, server, r);
                        results.add(result);
                        System.out.println("   " + oneLine(result));
                    }
                }
                continue;
            }
            for (int r = 1; r <= runs; r++) {
                List<String> these = new ArrayList<>(servers);
                if (template.throughput() && servers.contains(OURS)) {
                    // Also the memory store: what durability costs, measured in the same run.
                    these.add(these.indexOf(OURS) + 1, OURS_MEMORY);
                }
                if (System.getProperty("bench.baselineJar") != null && servers.contains(OURS)) {
                    these.add(these.indexOf(OURS) + 1, OURS_BASELINE);
                }
                if (compareJwt && template.id().equals("c") && servers.contains(OURS)) {
                    // The cost of authentication: the same connects, each with a token to verify.
                    these.add(these.indexOf(OURS) + 1, OURS_JWT);
                    if (these.contains(OURS_BASELINE)) {
                        these.add(these.indexOf(OURS_BASELINE) + 1, OURS_BASELINE_JWT);
                    }
                }
                for (String server : these) {
                    RunResult result = runOne(template, server, r);
                    results.add(result);
                    System.out.println("   " + oneLine(result));
                }
            }
        }
        report.put("scenarios", scenarioInfo);
        Map<String, Object> summary = summarize(results);
        if (scenarios.indexOf('e') >= 0 && System.getProperty("bench.storeBenchCp") != null) {
            System.out.printf("%n== (e) durable store vs memory store, committed writes/s (StoreBench)%n");
            summary.put("e", storeBench());
        }
        report.put("summary", summary);
        List<Map<String, Object>> runList = new ArrayList<>();
        for (RunResult r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scenario", r.scenario());
            m.put("server", r.server());
            m.put("run", r.run());
            r.figures().forEach((k, v) -> {
                if (!k.startsWith("_")) {
                    m.put(k, v);
                }
            });
            runList.add(m);
        }
        report.put("runs", runList);
        String table = Table.render(report);
        System.out.println();
        System.out.println(table);
        Gson gson = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.json"), gson.toJson(report) + "\n");
        Files.writeString(out.resolve("results.md"), Table.markdown(report));
        Chart.draw(results, scenarioInfo, out.resolve("latency.png"), (String) report.get("date"));
        System.out.println("wrote " + out.resolve("results.json") + ", " + out.resolve("results.md") + ", "
                + out.resolve("latency.png"));
        if (auth != null) {
            auth.close();
        }
        if (Boolean.getBoolean("bench.smoke")) {
            List<String> wrong = smokeFailures(results);
            wrong.forEach(line -> System.out.println("bench smoke: " + line));
            System.out.println("bench smoke: " + (wrong.isEmpty() ? "passed" : "FAILED") + " (" + results.size() + " runs)");
            if (!wrong.isEmpty()) {
                System.exit(1);
            }
        }
    }

    /**
     * BENCH_SMOKE=1 (make bench-smoke, run by .ci/run): what makes a run wrong rather than slow.
     * No figure is judged here, only that every delivery arrived in order, every connection
     * opened, and every storm client got every row: a bench that stops measuring what it says
     * (as (f) did for a session, its seeder refused by a new write limit) fails CI.
     */
    static List<String> smokeFailures(List<RunResult> results) {
        List<String> wrong = new ArrayList<>();
        for (RunResult r : results) {
            String name = "(" + r.scenario() + ") " + r.server() + " run " + r.run();
            Map<String, Object> f = r.figures();
            for (String key : List.of("lost", "gaps", "duplicates", "serverSequenceGaps", "versionMismatches")) {
                if (f.containsKey(key) && !(f.get(key) instanceof Number n && n.longValue() == 0)) {
                    wrong.add(name + ": " + key + " " + f.get(key));
                }
            }
            if (!(f.get("lost") instanceof Number)) {
                wrong.add(name + ": no delivery count");
            }
            if (f.get("errors") instanceof Map<?, ?> errors && !errors.isEmpty()) {
                wrong.add(name + ": errors " + errors);
            }
            if (f.get("storm") instanceof Map<?, ?> storm
                    && !Objects.equals(storm.get("syncsComplete"), storm.get("syncClients"))) {
                wrong.add(name + ": " + storm.get("syncsComplete") + " of " + storm.get("syncClients")
                        + " storm clients got the full snapshot " + storm.get("syncFailures"));
            }
        }
        if (results.isEmpty()) {
            wrong.add("no run at all");
        }
        return wrong;
    }

    // ---- one run ----

    private RunResult runOne(Scenario template, String server, int run) throws Exception {
        runCounter++;
        boolean full = server.startsWith(OURS);
        // Ours picks free ports itself (PORT=0) and says which; a peer gets a port that was free just
        // now. Never a fixed port: on a shared machine another server may hold it.
        int port = full ? 0 : freePort();
        LoadGen.Spec t = template.spec();
        String runId = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36) + run;
        Path data = out.resolve("data").resolve(template.id() + "-" + run);
        deleteTree(data);
        Files.createDirectories(out.resolve("logs"));
        Path log = out.resolve("logs").resolve(template.id() + "-" + server.replace('/', '-') + "-" + run + ".log");
        String store = server.equals(OURS_MEMORY) ? "memory" : template.store();
        if (withTokens(server) && auth == null) {
            auth = new BenchAuth(authMode.equals("rs256"));
            auth.tokens(t.subscribers() + t.publishers()); // signed now, outside every run's timing
        }
        Process process = start(server, port, data, log, store, template);
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        long pid = process.pid();
        Map<String, Object> figures;
        Map<String, Object> figures0 = new LinkedHashMap<>();
        Map<String, long[]> threadsAtStart = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, long[]> threadsAtEnd = new java.util.concurrent.ConcurrentHashMap<>();
        long[] cpu = new long[2];
        long self0 = cpuTicks(ProcessHandle.current().pid());
        long[] selfStart = new long[2];
        long launched = System.nanoTime();
        try {
            if (full) {
                port = awaitBoundPort(process, log);
                figures0.put("startupMs", LoadGen.round((System.nanoTime() - launched) / 1e6, 0));
            } else {
                waitForPort(port, process, log);
            }
            LoadGen.Spec spec = new LoadGen.Spec("127.0.0.1", port, full, t.subscribers(), t.publishers(),
                    t.ratePerPublisher(), t.window(), t.messageBytes(), t.warmupMs(), t.measureMs(), t.drainMs(),
                    t.slowConsumers(), t.slowAfterMs(), t.holdMs(), t.singleBroadcast(), t.ioThreads(), runId);
            if (template.pinned()) {
                pinSelf("1"); // the load generator's threads, started below, inherit it
            }
            long startCpu = cpuTicks(pid);
            List<String> tokens = withTokens(server)
                    ? auth.tokens(spec.subscribers() + spec.publishers()) : List.of();
            LoadGen gen = new LoadGen(spec, new LoadGen.Probe() {
                @Override
                public void measureStarted() {
                    threadsAtStart.putAll(threadTicks(pid));
                    cpu[0] = cpuTicks(pid);
                    selfStart[0] = cpuTicks(ProcessHandle.current().pid());
                }

                @Override
                public void measureEnded() {
                    cpu[1] = cpuTicks(pid);
                    threadsAtEnd.putAll(threadTicks(pid));
                    selfStart[1] = cpuTicks(ProcessHandle.current().pid());
                }
            }, tokens);
            figures = gen.run();
            figures.putAll(figures0);
            figures.put("serverThreads", threadFigures(threadsAtStart, threadsAtEnd,
                    ((Number) figures.get("deliveries")).longValue(), ((Number) figures.get("messagesSent")).longValue()));
            double measuredCpu = (cpu[1] - cpu[0]) / (double) clockTicks;
            double totalCpu = (cpuTicks(pid) - startCpu) / (double) clockTicks;
            long deliveries = ((Number) figures.get("deliveries")).longValue();
            figures.put("store", server.startsWith(OURS)
                    ? oursEnvironment(0, data, store, template.throughput()).get("STORE") : null);
            figures.put("loadAverageBefore", loadBefore);
            figures.put("loadAverage1m", Double.parseDouble(loadBefore.split(" ")[0]));
            figures.put("loadAverageAfter", Files.readString(Path.of("/proc/loadavg")).trim());
            figures.put("serverCpuSeconds", LoadGen.round(measuredCpu, 2));
            figures.put("serverCpuSecondsWholeRun", LoadGen.round(totalCpu, 2));
            figures.put("cpuMicrosPerDelivery", deliveries == 0 ? null
                    : LoadGen.round((t.singleBroadcast() ? totalCpu : measuredCpu) * 1e6 / deliveries, 2));
            figures.put("serverPeakRssMiB", LoadGen.round(procStatusKb(pid, "VmHWM") / 1024.0, 1));
            figures.put("serverRssAtEndMiB", LoadGen.round(procStatusKb(pid, "VmRSS") / 1024.0, 1));
            figures.put("loadgenCpuSeconds", cpuSeconds(selfStart));
            figures.put("loadgenMicrosPerDelivery", deliveries == 0 || t.singleBroadcast() ? null
                    : LoadGen.round((selfStart[1] - selfStart[0]) / (double) clockTicks * 1e6 / deliveries, 2));
            figures.put("loadgenCpuSecondsWholeRun", LoadGen.round((cpuTicks(ProcessHandle.current().pid()) - self0)
                    / (double) clockTicks, 2));
        } finally {
            if (template.pinned()) {
                pinSelf("0-" + (Runtime.getRuntime().availableProcessors() - 1));
            }
            stop(process);
            deleteTree(data);
        }
        Histogram latency = (Histogram) figures.get("_histogram");
        return new RunResult(template.id(), server, run, figures, latency);
    }

    /**
     * Scenario (r) one way: the PostgREST stand-in as a process of its own, redis-server (unless
     * {@link #OURS_SUPABASE}), then one staff-sync instance on the Supabase store, or two for
     * {@link #OURS_TWO} with every other connection on the second. Server CPU and memory are the
     * instances' sum; the stand-in's and Redis's CPU are reported apart.
     */
    private RunResult runCluster(Scenario template, String server, int run) throws Exception {
        if (System.getProperty("bench.standInCp") == null) {
            throw new IllegalStateException("scenario (r) needs bench.standInCp (bench/bench.sh sets it when"
                    + " BENCH_SCENARIOS contains r)");
        }
        runCounter++;
        LoadGen.Spec t = template.spec();
        // The same publishers' row ids in the three ways of one round (each way starts an empty
        // stand-in and Redis): a row's changes run one at a time on the store lane its id hashes to,
        // so the ways being compared get the same lanes.
        String runId = "r" + run;
        Path log = out.resolve("logs").resolve(template.id() + "-" + server.replace('/', '-') + "-" + run + ".log");
        Path data = out.resolve("data").resolve(template.id() + "-" + run);
        deleteTree(data);
        List<Process> instances = new ArrayList<>();
        Process standIn = null;
        Process redis = null;
        Map<String, Object> figures;
        try {
            standIn = new ProcessBuilder("java", "-XX:+UseSerialGC", "-Xmx256m", "-cp",
                    System.getProperty("bench.standInCp"), "staffsync.store.supabase.StandInMain")
                    .redirectErrorStream(true).redirectOutput(log.resolveSibling(log.getFileName() + ".standin").toFile())
                    .start();
            Map<String, String> shared = new LinkedHashMap<>(standInSettings(standIn, log));
            if (!server.equals(OURS_SUPABASE)) {
                int redisPort = freePort();
                redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no").redirectErrorStream(true)
                        .redirectOutput(log.resolveSibling(log.getFileName() + ".redis").toFile()).start();
                waitForPort(redisPort, redis, log);
                shared.put("REDIS_URL", "redis://127.0.0.1:" + redisPort + "/0");
            }
            int count = server.equals(OURS_TWO) ? 2 : 1;
            int[] ports = new int[count];
            List<Path> logs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Path own = i == 0 ? log : log.resolveSibling(log.getFileName() + ".second");
                logs.add(own);
                Process p = startInstance(own, data.resolve("instance-" + i), shared);
                instances.add(p);
                ports[i] = awaitBoundPort(p, own);
            }
            LoadGen.Spec spec = new LoadGen.Spec("127.0.0.1", ports[0], true, t.subscribers(), t.publishers(),
                    t.ratePerPublisher(), t.window(), t.messageBytes(), t.warmupMs(), t.measureMs(), t.drainMs(),
                    0, 0, 0, false, t.ioThreads(), runId, count == 2 ? ports[1] : 0);
            List<Long> pids = instances.stream().map(Process::pid).toList();
            long[] helperPids = {standIn.pid(), redis == null ? -1 : redis.pid()};
            String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
            long[] cpu = new long[2];
            long[] standInCpu = new long[2];
            long[] redisCpu = new long[2];
            long[] self = new long[2];
            figures = new LoadGen(spec, new LoadGen.Probe() {
                @Override
                public void measureStarted() {
                    cpu[0] = cpuTicks(pids);
                    standInCpu[0] = cpuTicks(helperPids[0]);
                    redisCpu[0] = cpuTicks(helperPids[1]);
                    self[0] = cpuTicks(ProcessHandle.current().pid());
                }

                @Override
                public void measureEnded() {
                    cpu[1] = cpuTicks(pids);
                    standInCpu[1] = cpuTicks(helperPids[0]);
                    redisCpu[1] = cpuTicks(helperPids[1]);
                    self[1] = cpuTicks(ProcessHandle.current().pid());
                }
            }).run();
            long deliveries = ((Number) figures.get("deliveries")).longValue();
            double measuredCpu = (cpu[1] - cpu[0]) / (double) clockTicks;
            figures.put("store", "supabase" + (redis == null ? "" : " + redis") + ", " + count + " instance(s)");
            figures.put("loadAverageBefore", loadBefore);
            figures.put("loadAverage1m", Double.parseDouble(loadBefore.split(" ")[0]));
            figures.put("loadAverageAfter", Files.readString(Path.of("/proc/loadavg")).trim());
            figures.put("serverCpuSeconds", LoadGen.round(measuredCpu, 2));
            figures.put("cpuMicrosPerDelivery", deliveries == 0 ? null : LoadGen.round(measuredCpu * 1e6 / deliveries, 2));
            figures.put("standInCpuSeconds", cpuSeconds(standInCpu));
            figures.put("redisCpuSeconds", redis == null ? null
                    : cpuSeconds(redisCpu));
            figures.put("serverPeakRssMiB", LoadGen.round(procStatusKb(pids, "VmHWM") / 1024.0, 1));
            figures.put("serverRssAtEndMiB", LoadGen.round(procStatusKb(pids, "VmRSS") / 1024.0, 1));
            figures.put("loadgenCpuSeconds", cpuSeconds(self));
            figures.put("loadgenMicrosPerDelivery", deliveries == 0 ? null
                    : LoadGen.round((self[1] - self[0]) / (double) clockTicks * 1e6 / deliveries, 2));
            figures.putAll(storeTimes(logs));
        } finally {
            for (Process p : instances) {
                stop(p);
            }
            for (Process helper : java.util.Arrays.asList(redis, standIn)) {
                if (helper != null) {
                    helper.destroyForcibly();
                    helper.waitFor(10, TimeUnit.SECONDS);
                }
            }
            deleteTree(data);
        }
        return new RunResult(template.id(), server, run, figures, (Histogram) figures.get("_histogram"));
    }

    private static final Pattern HTTP_PORT = Pattern.compile("bound ports websocket=\\d+ http=(\\d+)");
    private static final Pattern SECONDS = Pattern.compile(
            "^staffsync_(redis_round_trip|supabase_request)_seconds_(sum|count)\\{(command|method)=\"([^\"]+)\"} (\\S+)$",
            Pattern.MULTILINE);

    /**
     * Scenario (r): the instances' own /metrics over the whole run (warm-up included), summed:
     * the mean time of a Redis publication ({@code script:publish}), Redis's time per event
     * published (every round trip but opening connections, divided by the events this instance
     * published), and a Supabase PATCH's mean time for comparison. These are the stores' own
     * round trips, apart from the queueing that the end-to-end latency adds on a loaded machine.
     */
    private static Map<String, Object> storeTimes(List<Path> logs) {
        Map<String, double[]> byName = new java.util.TreeMap<>(); // name -> {seconds, count}
        for (Path log : logs) {
            try {
                Matcher port = HTTP_PORT.matcher(Files.readString(log, StandardCharsets.UTF_8));
                if (!port.find()) {
                    continue;
                }
                java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port.group(1)
                                + "/metrics")).timeout(java.time.Duration.ofSeconds(10)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                Matcher m = SECONDS.matcher(response.body());
                while (m.find()) {
                    double[] sum = byName.computeIfAbsent(m.group(1) + " " + m.group(4), k -> new double[2]);
                    sum[m.group(2).equals("sum") ? 0 : 1] += Double.parseDouble(m.group(5));
                }
            } catch (IOException | RuntimeException e) {
                System.out.println("   (no /metrics from " + log + ": " + e + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Map.of();
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        double[] publish = byName.get("redis_round_trip script:publish");
        if (publish != null && publish[1] > 0) {
            out.put("redisPublishMeanMs", LoadGen.round(publish[0] * 1e3 / publish[1], 2));
            double redisSeconds = 0;
            for (var e : byName.entrySet()) {
                if (e.getKey().startsWith("redis_round_trip ") && !e.getKey().endsWith(" connect")) {
                    redisSeconds += e.getValue()[0];
                }
            }
            out.put("redisMsPerEventPublished", LoadGen.round(redisSeconds * 1e3 / publish[1], 2));
            out.put("eventsPublished", (long) publish[1]);
        }
        double[] patch = byName.get("supabase_request PATCH");
        if (patch != null && patch[1] > 0) {
            out.put("supabasePatchMeanMs", LoadGen.round(patch[0] * 1e3 / patch[1], 2));
        }
        return out;
    }

    /** The stand-in prints "url ..." and "key ..." when it serves: STORE=supabase's settings. */
    private static Map<String, String> standInSettings(Process standIn, Path log) throws Exception {
        Path output = log.resolveSibling(log.getFileName() + ".standin");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            if (lines.size() >= 2 && lines.get(0).startsWith("url ") && lines.get(1).startsWith("key ")) {
                return Map.of("STORE", "supabase", "SUPABASE_URL", lines.get(0).substring(4),
                        "SUPABASE_SERVICE_KEY", lines.get(1).substring(4));
            }
            if (!standIn.isAlive()) {
                throw new IllegalStateException("the PostgREST stand-in exited: see " + output);
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the PostgREST stand-in did not start: see " + output);
    }

    /** One staff-sync instance of scenario (r), as {@link #start} starts ours, plus the shared settings. */
    private Process startInstance(Path log, Path data, Map<String, String> shared) throws IOException {
        List<String> command = new ArrayList<>(List.of("java"));
        String flags = System.getProperty("bench.jvmFlags", "").trim();
        if (!flags.isEmpty()) {
            command.addAll(Arrays.asList(flags.split("\\s+")));
        }
        String jar = System.getProperty("bench.jar", "build-bench/staff-sync.jar");
        command.addAll(classDataSharing(jar));
        command.addAll(List.of("-jar", jar));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(oursEnvironment(0, data, "supabase", false));
        builder.environment().putAll(shared);
        return builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Scenario (f) on one server: fill it with rows, measure the event stream alone, then again
     * while the storm clients all ask for the full snapshot as the measurement starts.
     */
    private List<RunResult> runSyncStorm(Scenario template, int run) throws Exception {
        int port = 21000 + 2 * (runCounter++ % 2000);
        Path data = out.resolve("data").resolve(template.id() + "-" + run);
        deleteTree(data);
        Path log = out.resolve("logs").resolve(template.id() + "-" + OURS + "-" + run + ".log");
        Process process = start(OURS, port, data, log, template.store(), template);
        long pid = process.pid();
        List<RunResult> results = new ArrayList<>();
        try {
            waitForPort(port, process, log);
            // Up to stormRows with the publishers' own rows (10 for each of the two event streams below):
            // 100,000 is MAX_ROWS' default, so the list is as full as the server allows.
            double seedSeconds = SyncStorm.seed("127.0.0.1", port, stormRows - 3 * template.spec().publishers());
            double rssAfterSeed = procStatusKb(pid, "VmHWM") / 1024.0;
            // A server in use has served syncs before (every client that connects asks for one), so its
            // reply path is compiled: two syncs of every row, one client at a time, before any window.
            for (int i = 0; i < 2; i++) {
                SyncStorm.Result warm = SyncStorm.syncOnce("127.0.0.1", port);
                if (!warm.complete()) {
                    throw new IllegalStateException("the warm-up sync failed: " + warm.failure());
                }
            }
            // Three windows of the same event stream. "alone": only its own 110 clients are connected.
            // "quiet": the storm's clients are connected too, receiving every event like any client,
            // but none has asked for anything: the figure the storm is measured against, so that the
            // comparison is about the replies, not about 200 more subscribers. "storm": they all ask.
            long[] aloneCpu = new long[2];
            Map<String, Object> alone = new LoadGen(eventStream(template, port, "a" + run), cpuWindow(pid, aloneCpu, null)).run();
            CountDownLatch connected = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            List<List<SyncStorm.Result>> storm = new ArrayList<>();
            Thread stormThread = new Thread(() -> {
                try {
                    storm.add(stormProcess.equals("same")
                            ? SyncStorm.storm("127.0.0.1", port, stormClients, connected, go, stormTimeoutMs)
                            : stormInOwnProcess(port, connected, go));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    connected.countDown();
                }
            }, "storm");
            stormThread.start();
            connected.await(90, TimeUnit.SECONDS);
            long[] quietCpu = new long[2];
            Map<String, Object> quiet = new LoadGen(eventStream(template, port, "q" + run), cpuWindow(pid, quietCpu, null)).run();
            long[] cpu = new long[2];
            Map<String, Object> during = new LoadGen(eventStream(template, port, "s" + run), cpuWindow(pid, cpu, go)).run();
            go.countDown();
            stormThread.join(stormTimeoutMs + 30_000);
            Map<String, Object> stormFigures = SyncStorm.summarize(storm.isEmpty() ? List.of() : storm.get(0), stormRows);
            double heap = heapMiB(System.getProperty("bench.jvmFlags", ""));
            double peak = procStatusKb(pid, "VmHWM") / 1024.0;
            stormFigures.put("rows", stormRows);
            stormFigures.put("stormClientsIn", stormProcess);
            stormFigures.put("seedSeconds", LoadGen.round(seedSeconds, 1));
            stormFigures.put("serverPeakRssAfterSeedMiB", LoadGen.round(rssAfterSeed, 1));
            stormFigures.put("serverPeakRssMiB", LoadGen.round(peak, 1));
            stormFigures.put("heapMiB", heap);
            stormFigures.put("rssTargetMiB", heap + 64);
            double quietP99 = p99(quiet);
            double stormP99 = p99(during);
            stormFigures.put("p99QuietMs", quietP99);
            stormFigures.put("p99StormMs", stormP99);
            stormFigures.put("p99StormOverQuiet", quietP99 == 0 ? null : LoadGen.round(stormP99 / quietP99, 2));
            double aloneP99 = p99(alone);
            stormFigures.put("p99AloneMs", aloneP99);
            stormFigures.put("p99StormOverAlone", aloneP99 == 0 ? null : LoadGen.round(stormP99 / aloneP99, 2));
            stormFigures.put("serverCpuSecondsDuringAloneWindow", cpuSeconds(aloneCpu));
            stormFigures.put("serverCpuSecondsDuringQuietWindow", cpuSeconds(quietCpu));
            stormFigures.put("serverCpuSecondsDuringStormWindow", cpuSeconds(cpu));
            for (Map<String, Object> figures : List.of(alone, quiet, during)) {
                figures.put("store", template.store());
                figures.put("serverPeakRssMiB", LoadGen.round(peak, 1));
            }
            during.put("storm", stormFigures);
            results.add(new RunResult(template.id(), OURS_ALONE, run, alone, (Histogram) alone.get("_histogram")));
            results.add(new RunResult(template.id(), OURS_QUIET, run, quiet, (Histogram) quiet.get("_histogram")));
            results.add(new RunResult(template.id(), OURS_STORM, run, during, (Histogram) during.get("_histogram")));
            System.out.println("   storm: " + stormFigures);
            System.out.println("   worst ms by second, alone: " + alone.get("worstMsBySecond") + "; quiet: "
                    + quiet.get("worstMsBySecond") + "; storm: " + during.get("worstMsBySecond"));
        } finally {
            stop(process);
            deleteTree(data);
        }
        return results;
    }

    /** (f)'s storm clients as a JVM of their own ({@code SyncStorm.main}): the same clients, the same figures. */
    private List<SyncStorm.Result> stormInOwnProcess(int port, CountDownLatch connected, CountDownLatch go)
            throws IOException, InterruptedException {
        List<String> command = List.of("java", "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                SyncStorm.class.getName(), "127.0.0.1", Integer.toString(port), Integer.toString(stormClients),
                Long.toString(stormTimeoutMs));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread starter = new Thread(() -> {
            try {
                go.await();
                child.getOutputStream().write("go\n".getBytes(StandardCharsets.US_ASCII));
                child.getOutputStream().flush();
            } catch (InterruptedException | IOException e) {
                child.destroy();
            }
        }, "storm-starter");
        starter.setDaemon(true);
        starter.start();
        List<SyncStorm.Result> results = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null && !line.equals("end")) {
                if (line.equals("connected")) {
                    connected.countDown();
                } else if (line.startsWith("result ")) {
                    results.add(SyncStorm.fromLine(line));
                }
            }
        } finally {
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        return results;
    }

    /** Samples the server's CPU ticks into {@code ticks} at the window's start and end; opens {@code atStart} (if any) there. */
    private static LoadGen.Probe cpuWindow(long pid, long[] ticks, CountDownLatch atStart) {
        return new LoadGen.Probe() {
            @Override
            public void measureStarted() {
                ticks[0] = cpuTicks(pid);
                if (atStart != null) {
                    atStart.countDown();
                    System.out.println("   the storm's requests go at " + java.time.Instant.now()); // for a profile's timeline
                }
            }

            @Override
            public void measureEnded() {
                ticks[1] = cpuTicks(pid);
            }
        };
    }

    /** (f)'s event stream: the template's spec on this run's port. */
    private static LoadGen.Spec eventStream(Scenario template, int port, String runId) {
        LoadGen.Spec t = template.spec();
        return new LoadGen.Spec("127.0.0.1", port, true, t.subscribers(), t.publishers(), t.ratePerPublisher(),
                t.window(), t.messageBytes(), t.warmupMs(), t.measureMs(), t.drainMs(), 0, 0, 0, false, t.ioThreads(),
                runId + "-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36));
    }

    /** The -Xmx in the server's flags, in MiB (0 when not given). */
    static double heapMiB(String flags) {
        Matcher m = Pattern.compile("-Xmx(\\d+)([kKmMgG]?)").matcher(flags);
        if (!m.find()) {
            return 0;
        }
        double value = Double.parseDouble(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "g" -> value * 1024;
            case "m" -> value;
            case "k" -> value / 1024;
            default -> value / (1024 * 1024);
        };
    }

    /**
     * The throughput scenarios' one publisher sends far above a person's rate: lift the
     * per-connection limits and the server-wide write rate. The other scenarios (10 updates/s per
     * publisher, 100/s in all) run within the defaults, as users run the server.
     */
    private static Map<String, String> liftedLimits() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("RATE_LIMIT_PER_SECOND", "1000000000");
        env.put("RATE_LIMIT_BURST", "1000000000");
        env.put("MAX_PENDING_PER_CONNECTION", "1000000");
        env.put("MAX_WRITES_PER_SECOND", "1000000000");
        return env;
    }

    /** BENCH_SERVER_ENV comes last, so it may change any of these (STORE=memory: every staff-sync line on it). */
    static Map<String, String> oursEnvironment(int port, Path data, String store, boolean throughput) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOST", "127.0.0.1");
        env.put("PORT", Integer.toString(port));
        env.put("HTTP_PORT", Integer.toString(port == 0 ? 0 : port + 1));
        env.put("STORE", store);
        env.put("DATA_DIR", data.toString());
        if (throughput) {
            env.putAll(LIFTED_LIMITS);
        }
        // About 5 s of scenario (b)'s stream, so the slow consumer of (d) is dropped within the run.
        env.put("OUTBOUND_LIMIT_BYTES", "262144");
        // A bounded kernel buffer, so a slow reader meets OUTBOUND_LIMIT_BYTES within the run.
        env.put("SOCKET_SEND_BUFFER_BYTES", "65536");
        env.put("HANDSHAKE_TIMEOUT_MS", "30000");
        env.put("SHUTDOWN_TIMEOUT_MS", "1000");
        // BENCH_SERVER_ENV="WRITER_THREADS=1 STORE_THREADS=4": try a setting without editing this file.
        for (String setting : System.getProperty("bench.serverEnv", "").trim().split("\\s+")) {
            int eq = setting.indexOf('=');
            if (eq > 0) {
                env.put(setting.substring(0, eq), setting.substring(eq + 1));
            }
        }
        return env;
    }

    /** staff-sync/jwt and staff-sync/baseline/jwt: AUTH_MODE=jwt, a token per connection. */
    private static boolean withTokens(String server) {
        return server.equals(OURS_JWT) || server.equals(OURS_BASELINE_JWT);
    }

    /** staff-sync/baseline and staff-sync/baseline/jwt: the baseline's jar and JVM flags. */
    private static boolean fromBaseline(String server) {
        return server.equals(OURS_BASELINE) || server.equals(OURS_BASELINE_JWT);
    }

    private Process start(String server, int port, Path data, Path log, String store, Scenario scenario)
            throws IOException {
        List<String> command = new ArrayList<>();
        ProcessBuilder builder = new ProcessBuilder();
        if (scenario.pinned()) {
            command.addAll(List.of("taskset", "-c", "0"));
        }
        switch (server.startsWith(OURS) ? OURS : server) {
            case OURS -> {
                command.add("java");
                String flags = (fromBaseline(server) && System.getProperty("bench.baselineJvmFlags") != null
                        ? System.getProperty("bench.baselineJvmFlags") : System.getProperty("bench.jvmFlags", "")).trim();
                if (!flags.isEmpty()) {
                    command.addAll(Arrays.asList(flags.split("\\s+")));
                }
                String jar = fromBaseline(server) ? System.getProperty("bench.baselineJar")
                        : System.getProperty("bench.jar", "build-bench/staff-sync.jar");
                command.addAll(classDataSharing(jar));
                command.add("-jar");
                command.add(jar);
                builder.environment().putAll(oursEnvironment(port, data, store, scenario.throughput()));
                if (withTokens(server)) {
                    builder.environment().putAll(auth.serverEnvironment());
                }
            }
            case GO -> {
                command.add(System.getProperty("bench.go", "bench/out/gohub"));
                command.add("-addr");
                command.add("127.0.0.1:" + port);
            }
            case NODE -> {
                command.add("node");
                command.add(System.getProperty("bench.nodeDir", "bench/peers/node") + "/server.js");
                builder.environment().put("PORT", Integer.toString(port));
                builder.environment().put("HOST", "127.0.0.1");
            }
            default -> throw new IllegalArgumentException(server);
        }
        builder.command(command).redirectErrorStream(true).redirectOutput(log.toFile());
        return builder.start();
    }

    /**
     * As `make run`: the class-data-sharing archive build.sh makes next to the jar, when there is
     * one (BENCH_CDS=0: never).
     */
    static List<String> classDataSharing(String jar) {
        Path archive = Path.of(jar.replaceAll("\\.jar$", ".jsa"));
        if (!Boolean.parseBoolean(System.getProperty("bench.cds", "true")) || !Files.isRegularFile(archive)) {
            return List.of();
        }
        return List.of("-XX:SharedArchiveFile=" + archive);
    }

    private static final Pattern BOUND = Pattern.compile("bound ports websocket=(\\d+)");

    /** Ours: waits for its "bound ports" log line (the moment it serves) and returns its WebSocket port. */
    private static int awaitBoundPort(Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            Matcher m = BOUND.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited: see " + log);
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("server did not report its ports: see " + log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void waitForPort(int port, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited: see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                Thread.sleep(300); // let it settle
                if (!process.isAlive()) {
                    throw new IllegalStateException("server exited (the port was taken?): see " + log);
                }
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("server did not listen on " + port + ": see " + log);
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        Thread.sleep(500);
    }

    /** Sets the CPUs of every thread of this process (taskset -a), so threads started later inherit them. */
    private static void pinSelf(String cpus) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(ProcessHandle.current().pid()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("taskset -a -p -c " + cpus + " failed");
        }
    }

    // ---- /proc ----

    /**
     * Per server thread (grouped by name, numbers stripped): CPU ticks and context switches
     * (voluntary: it blocked, waiting for work or a lock; involuntary: the CPU was taken from it).
     * Values: {utime+stime ticks, voluntary, involuntary}.
     */
    static Map<String, long[]> threadTicks(long pid) {
        Map<String, long[]> byName = new java.util.TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "#");
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    long voluntary = 0;
                    long involuntary = 0;
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            voluntary = Long.parseLong(line.replaceAll("[^0-9]", ""));
                        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                            involuntary = Long.parseLong(line.replaceAll("[^0-9]", ""));
                        }
                    }
                    long[] sum = byName.computeIfAbsent(name, k -> new long[3]);
                    sum[0] += ticks;
                    sum[1] += voluntary;
                    sum[2] += involuntary;
                } catch (IOException | RuntimeException gone) {
                    // the thread ended
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the process ended
        }
        return byName;
    }

    /** What each group of server threads did in the measured window, per message sent. */
    private Map<String, Object> threadFigures(Map<String, long[]> start, Map<String, long[]> end, long deliveries,
                                              long messages) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : end.entrySet()) {
            long[] a = start.getOrDefault(e.getKey(), new long[3]);
            long[] b = e.getValue();
            long ticks = b[0] - a[0];
            long voluntary = b[1] - a[1];
            if (ticks == 0 && voluntary == 0) {
                continue;
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("cpuSeconds", LoadGen.round(ticks / (double) clockTicks, 2));
            t.put("voluntarySwitches", voluntary);
            t.put("involuntarySwitches", b[2] - a[2]);
            if (messages > 0) {
                t.put("voluntarySwitchesPerMessage", LoadGen.round(voluntary / (double) messages, 2));
            }
            out.put(e.getKey(), t);
        }
        return out;
    }

    /** A window's CPU seconds, from its {start, end} ticks. */
    private double cpuSeconds(long[] window) {
        return LoadGen.round((window[1] - window[0]) / (double) clockTicks, 2);
    }

    /** A LoadGen run's p99 latency, ms. */
    private static double p99(Map<String, Object> figures) {
        return ((Number) ((Map<?, ?>) figures.get("latencyMs")).get("p99")).doubleValue();
    }

    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static long cpuTicks(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            sum += cpuTicks(pid);
        }
        return sum;
    }

    /** Summed over the processes (scenario (r)'s two instances count together). */
    static long procStatusKb(List<Long> pids, String field) {
        long sum = 0;
        for (long pid : pids) {
            sum += procStatusKb(pid, field);
        }
        return sum;
    }

    static long procStatusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            return Long.parseLong(s);
        } catch (Exception e) {
            return 100;
        }
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nproc", Runtime.getRuntime().availableProcessors());
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    m.put("memTotalMiB", Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024);
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    m.put("cpuModel", line.substring(line.indexOf(':') + 1).trim());
                    break;
                }
            }
            m.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
        } catch (IOException e) {
            // partial description
        }
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("go", command("go", "version"));
        m.put("node", command("node", "--version"));
        m.put("nodeWs", System.getProperty("bench.nodeWsVersion", "?"));
        m.put("gorillaWebsocket", System.getProperty("bench.gorillaVersion", "?"));
        m.put("loadGenerator", "in-process NIO client, " + Integer.getInteger("bench.ioThreads", 2)
                + " threads, on the same machine as the server; checks each message by "
                + ("parse".equals(System.getProperty("bench.check", "scan")) ? "a full JSON parse plus a byte scan"
                : "a byte scan (no JSON parse)"));
        return m;
    }

    private static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return s;
        } catch (Exception e) {
            return "?";
        }
    }

    // ---- summary ----

    private Map<String, Object> summarize(List<RunResult> results) {
        Map<String, Object> summary = new LinkedHashMap<>();
        Map<String, Map<String, List<RunResult>>> grouped = new LinkedHashMap<>();
        for (RunResult r : results) {
            grouped.computeIfAbsent(r.scenario(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.server(), k -> new ArrayList<>()).add(r);
        }
        for (var scenario : grouped.entrySet()) {
            Map<String, Object> perServer = new LinkedHashMap<>();
            for (var server : scenario.getValue().entrySet()) {
                Map<String, Object> med = new LinkedHashMap<>();
                for (String key : Table.KEYS) {
                    List<Double> values = new ArrayList<>();
                    for (RunResult r : server.getValue()) {
                        Object v = key.startsWith("latency.") ? ((Map<?, ?>) r.figures().get("latencyMs"))
                                .get(key.substring(8)) : r.figures().get(key);
                        if (v instanceof Number n) {
                            values.add(n.doubleValue());
                        }
                    }
                    if (!values.isEmpty()) {
                        values.sort(Comparator.naturalOrder());
                        med.put(key, median(values));
                    }
                }
                Map<String, Long> errors = new LinkedHashMap<>();
                for (RunResult r : server.getValue()) {
                    ((Map<?, ?>) r.figures().get("errors")).forEach((k, v) -> errors.merge((String) k, ((Number) v).longValue(), Long::sum));
                }
                med.put("errorsAllRuns", errors);
                med.put("runs", server.getValue().size());
                perServer.put(server.getKey(), med);
            }
            Map<String, Object> ratios = new LinkedHashMap<>();
            @SuppressWarnings("unchecked")
            Map<String, Object> ours = (Map<String, Object>) perServer.get(OURS);
            if (ours != null) {
                for (String peer : List.of(GO, NODE, OURS_MEMORY, OURS_BASELINE)) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> p = (Map<String, Object>) perServer.get(peer);
                    if (p == null) {
                        continue;
                    }
                    Map<String, Object> ratio = new LinkedHashMap<>();
                    for (String key : List.of("deliveriesPerSecond", "latency.p99", "latency.p99.9", "serverPeakRssMiB",
                            "cpuMicrosPerDelivery")) {
                        if (ours.get(key) instanceof Double o && p.get(key) instanceof Double q && q != 0) {
                            ratio.put(key, LoadGen.round(o / q, 2));
                        }
                    }
                    ratios.put("ours/" + peer, ratio);
                }
            }
            addClusterFigures(perServer, ratios, scenario.getValue());
            perServer.put("ratios", ratios);
            if (scenario.getValue().containsKey(OURS_STORM)) {
                perServer.put("storm", stormMedians(scenario.getValue().get(OURS_STORM)));
            }
            summary.put(scenario.getKey(), perServer);
        }
        return summary;
    }

    /**
     * Scenario (r): two instances against one (with and without Redis), and what Redis adds per
     * event on one instance (medians of runs; loss is summed over runs).
     */
    @SuppressWarnings("unchecked")
    private static void addClusterFigures(Map<String, Object> perServer, Map<String, Object> ratios,
                                          Map<String, List<RunResult>> runs) {
        Map<String, Object> single = (Map<String, Object>) perServer.get(OURS_SUPABASE);
        Map<String, Object> redis = (Map<String, Object>) perServer.get(OURS_REDIS);
        Map<String, Object> two = (Map<String, Object>) perServer.get(OURS_TWO);
        if (single == null || redis == null || two == null) {
            return;
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        for (String key : List.of("latency.p50", "latency.p99")) {
            String name = key.substring(8);
            if (redis.get(key) instanceof Double r && single.get(key) instanceof Double s) {
                figures.put("redis's extra " + name + " ms (one instance with minus without)", LoadGen.round(r - s, 2));
            }
            if (two.get(key) instanceof Double t && single.get(key) instanceof Double s && s != 0) {
                figures.put("two instances / one without redis, " + name + " (target p99 < 2)", LoadGen.round(t / s, 2));
            }
            if (two.get(key) instanceof Double t && redis.get(key) instanceof Double r && r != 0) {
                figures.put("two instances / one with redis, " + name, LoadGen.round(t / r, 2));
            }
        }
        for (String server : List.of(OURS_SUPABASE, OURS_REDIS, OURS_TWO)) {
            long lost = 0;
            long gaps = 0;
            for (RunResult r : runs.get(server)) {
                lost += ((Number) r.figures().get("lost")).longValue();
                gaps += ((Number) r.figures().get("gaps")).longValue();
            }
            figures.put(server + " lost, gaps (all runs)", lost + ", " + gaps);
        }
        ratios.put("several instances", figures);
    }

    /** (f): the median over runs of each of the storm's figures (failures summed up). */
    private static Map<String, Object> stormMedians(List<RunResult> runs) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        Map<String, Object> medians = new LinkedHashMap<>();
        for (RunResult r : runs) {
            Map<?, ?> storm = (Map<?, ?>) r.figures().get("storm");
            storm.forEach((key, value) -> {
                if (value instanceof Number n) {
                    values.computeIfAbsent((String) key, k -> new ArrayList<>()).add(n.doubleValue());
                } else if (value != null) {
                    medians.put("run " + r.run() + " " + key, value);
                }
            });
        }
        values.forEach((key, list) -> {
            list.sort(Comparator.naturalOrder());
            medians.put(key, median(list));
        });
        medians.put("runs", runs.size());
        return medians;
    }

    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String oneLine(RunResult r) {
        Map<String, Object> f = r.figures();
        Map<?, ?> lat = (Map<?, ?>) f.get("latencyMs");
        return String.format(Locale.ROOT, "run %d %-10s %9.0f deliveries/s  lost %s  late %s  gaps %s  p50 %.2f  p99 %.2f"
                        + "  p99.9 %.2f  max %.2f ms  conn %s/%s  rss %s MiB  cpu %s s  %s µs/delivery  errors %s  close %s%s",
                r.run(), r.server(), ((Number) f.get("deliveriesPerSecond")).doubleValue(), f.get("lost"), f.get("late"),
                f.get("gaps"), lat.get("p50"), lat.get("p99"), lat.get("p99.9"), lat.get("max"), f.get("connected"),
                f.get("connections"), f.get("serverPeakRssMiB"), f.get("serverCpuSeconds"), f.get("cpuMicrosPerDelivery"),
                f.get("errors"), f.get("closeCodes"),
                f.containsKey("slowConsumersDropped") ? "  slow dropped " + f.get("slowConsumersDropped") : "");
    }

    // ---- (e): the store-level benchmark another engineer wrote, reused as is ----

    private Map<String, Object> storeBench() throws Exception {
        Path dir = out.resolve("data").resolve("store-bench");
        deleteTree(dir);
        Files.createDirectories(dir);
        List<String> command = List.of("java", "-Xmx1g", "-Djava.util.logging.config.file=/dev/null", "-cp",
                System.getProperty("bench.storeBenchCp"), "staffsync.store.file.StoreBench", "writes", dir.toString(),
                Long.toString(quick ? 1_000 : 2_000));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        deleteTree(dir);
        System.out.print(text.indent(3));
        Pattern line = Pattern.compile("^(memory|file)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+) µs\\s+runs: \\[(.*)] / \\[(.*)]");
        Map<String, Object> e = new LinkedHashMap<>();
        for (String l : text.split("\n")) {
            Matcher m = line.matcher(l.trim());
            if (m.find()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("writesPerSecond", Double.parseDouble(m.group(3)));
                row.put("p99Micros", Double.parseDouble(m.group(4)));
                row.put("runsWritesPerSecond", m.group(5));
                row.put("runsP99Micros", m.group(6));
                e.put(m.group(1) + "/" + m.group(2), row);
            }
        }
        for (String writers : List.of("1", "8", "64")) {
            if (e.get("file/" + writers) instanceof Map<?, ?> f && e.get("memory/" + writers) instanceof Map<?, ?> mem) {
                e.put("ratio file/memory writes/s, " + writers + " writers", LoadGen.round(
                        (Double) f.get("writesPerSecond") / (Double) mem.get("writesPerSecond"), 3));
            }
        }
        e.put("rawOutput", text);
        return e;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
