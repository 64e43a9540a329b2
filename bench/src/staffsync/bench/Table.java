package staffsync.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The terminal table and the Markdown table, both from the report's summary (medians of runs). */
final class Table {
    static final List<String> KEYS = List.of("deliveriesPerSecond", "deliveries", "lost", "late", "gaps",
            "serverSequenceGaps", "latency.p50", "latency.p90", "latency.p99", "latency.p99.9", "latency.max",
            "connectSuccessRate", "subscribersOpenAtEnd", "subscribersHeldAtBroadcast", "serverPeakRssMiB",
            "serverCpuSeconds", "cpuMicrosPerDelivery", "slowConsumersDropped", "loadgenCpuSeconds",
            "loadgenMicrosPerDelivery", "loadAverage1m", "loadgenReadsPerDelivery", "loadgenBytesPerRead", "startupMs",
            "connectsPerSecond", "serverCpuSecondsWholeRun",
            "standInCpuSeconds", "redisCpuSeconds", "redisPublishMeanMs", "redisMsPerEventPublished",
            "supabasePatchMeanMs");

    private static final String[][] COLUMNS = {
        {"deliveriesPerSecond", "deliv/s", "%.0f"},
        {"deliveries", "deliv", "%.0f"},
        {"lost", "lost", "%.0f"},
        {"late", ">100ms", "%.0f"},
        {"gaps", "gaps", "%.0f"},
        {"latency.p50", "p50 ms", "%.2f"},
        {"latency.p90", "p90 ms", "%.2f"},
        {"latency.p99", "p99 ms", "%.2f"},
        {"latency.p99.9", "p99.9 ms", "%.2f"},
        {"latency.max", "max ms", "%.2f"},
        {"connectSuccessRate", "conn ok", "%.4f"},
        {"connectsPerSecond", "conn/s", "%.0f"},
        {"serverPeakRssMiB", "peak RSS MiB", "%.1f"},
        {"serverCpuSeconds", "CPU s", "%.2f"},
        {"cpuMicrosPerDelivery", "CPU µs/deliv", "%.2f"},
        {"slowConsumersDropped", "slow dropped", "%.0f"},
        {"loadgenMicrosPerDelivery", "gen µs/deliv", "%.2f"},
        {"loadAverage1m", "load 1m", "%.1f"},
    };

    private Table() {}

    static String render(Map<String, Object> report) {
        return build(report, false);
    }

    static String markdown(Map<String, Object> report) {
        StringBuilder b = new StringBuilder();
        b.append("# staff-sync benchmark results\n\n");
        b.append("Date: ").append(report.get("date")).append("  \n");
        Map<?, ?> m = (Map<?, ?>) report.get("machine");
        b.append("Machine: ").append(m.get("nproc")).append(" CPUs (").append(m.get("cpuModel")).append("), ")
                .append(m.get("memTotalMiB")).append(" MiB memory, Linux ").append(m.get("kernel")).append("  \n");
        b.append("Software: ").append(m.get("java")).append("; ").append(m.get("go")).append(", gorilla/websocket ")
                .append(m.get("gorillaWebsocket")).append("; Node ").append(m.get("node")).append(", ws ")
                .append(m.get("nodeWs")).append("  \n");
        b.append("Load generator: ").append(m.get("loadGenerator")).append("  \n");
        Map<?, ?> settings = (Map<?, ?>) report.get("settings");
        b.append("staff-sync JVM flags: `").append(settings.get("staffSyncJvmFlags")).append("`, store: ")
                .append(settings.get("staffSyncStore")).append("  \n");
        b.append("Runs per server and scenario: ").append(settings.get("runsPerServer"))
                .append(" (interleaved); every figure is the median of the runs.\n\n");
        b.append(build(report, true));
        return b.toString();
    }

    /** (f): did every client get every row, how long it took, the memory, and others' p99 quiet vs storm. */
    private static String storm(Map<?, ?> s, boolean md) {
        String[][] rows = {
            {"syncsComplete", "clients that got the full snapshot", "%.0f"},
            {"syncClients", "clients asking at once", "%.0f"},
            {"rowsPerSnapshotMin", "rows in the smallest snapshot", "%.0f"},
            {"snapshotMiB", "snapshot size, MiB", "%.1f"},
            {"totalGiB", "sent in the storm, GiB", "%.2f"},
            {"firstByteSecondsMedian", "first byte after, s (median)", "%.2f"},
            {"snapshotSecondsMedian", "whole snapshot after, s (median)", "%.2f"},
            {"snapshotSecondsMax", "whole snapshot after, s (last client)", "%.2f"},
            {"seedSeconds", "seeding the rows, s", "%.1f"},
            {"serverPeakRssAfterSeedMiB", "server peak RSS after seeding, MiB", "%.1f"},
            {"serverPeakRssMiB", "server peak RSS over the run, MiB", "%.1f"},
            {"rssTargetMiB", "target: heap (-Xmx) + 64 MiB", "%.0f"},
            {"p99AloneMs", "others' event p99, alone (storm clients not connected), ms", "%.2f"},
            {"p99QuietMs", "others' event p99, quiet (storm clients connected, idle), ms", "%.2f"},
            {"p99StormMs", "others' event p99, during the storm, ms", "%.2f"},
            {"p99StormOverQuiet", "storm / quiet p99 (target < 2)", "%.2f"},
            {"p99StormOverAlone", "storm / alone p99", "%.2f"},
            {"serverCpuSecondsDuringAloneWindow", "server CPU in the alone window, s", "%.2f"},
            {"serverCpuSecondsDuringQuietWindow", "server CPU in the quiet window, s", "%.2f"},
            {"serverCpuSecondsDuringStormWindow", "server CPU in the storm window, s", "%.2f"},
        };
        StringBuilder b = new StringBuilder(md ? "| storm figure (median of runs) | value |\n| --- | ---: |\n" : "");
        for (String[] row : rows) {
            Object v = s.get(row[0]);
            String cell = v instanceof Number n ? String.format(Locale.ROOT, row[2], n.doubleValue()) : "-";
            b.append(md ? "| " + row[1] + " | " + cell + " |\n" : String.format("  %-62s %12s%n", row[1], cell));
        }
        s.forEach((key, value) -> {
            if (String.valueOf(key).startsWith("run ")) {
                b.append(md ? "\n" + key + ": " + value + "\n" : "  " + key + ": " + value + "\n");
            }
        });
        return b.toString();
    }

    private static String build(Map<String, Object> report, boolean md) {
        StringBuilder b = new StringBuilder();
        Map<?, ?> summary = (Map<?, ?>) report.get("summary");
        List<?> scenarios = (List<?>) report.get("scenarios");
        for (Object o : scenarios) {
            Map<?, ?> sc = (Map<?, ?>) o;
            Map<?, ?> perServer = (Map<?, ?>) summary.get(sc.get("id"));
            if (perServer == null) {
                continue;
            }
            b.append(md ? "## " : "== ").append("(").append(sc.get("id")).append(") ").append(sc.get("title")).append("\n\n");
            StringBuilder header = new StringBuilder(md ? "| server |" : String.format("%-18s", "server"));
            StringBuilder rule = new StringBuilder(md ? "| --- |" : "");
            for (String[] col : COLUMNS) {
                header.append(md ? " " + col[1] + " |" : String.format(" %12s", col[1]));
                rule.append(md ? " ---: |" : "");
            }
            b.append(header).append(md ? " errors |" : "  errors").append('\n');
            if (md) {
                b.append(rule).append(" --- |\n");
            }
            for (var e : perServer.entrySet()) {
                if (e.getKey().equals("ratios") || e.getKey().equals("storm")) {
                    continue;
                }
                Map<?, ?> med = (Map<?, ?>) e.getValue();
                b.append(md ? "| " + e.getKey() + " |" : String.format("%-18s", e.getKey()));
                for (String[] col : COLUMNS) {
                    Object v = med.get(col[0]);
                    String cell = v instanceof Number n ? String.format(Locale.ROOT, col[2], n.doubleValue()) : "-";
                    b.append(md ? " " + cell + " |" : String.format(" %12s", cell));
                }
                b.append(md ? " " + med.get("errorsAllRuns") + " |" : "  " + med.get("errorsAllRuns")).append('\n');
            }
            if (perServer.get("storm") instanceof Map<?, ?> storm) {
                b.append(md ? "\n" : "").append(storm(storm, md));
            }
            Map<?, ?> ratios = (Map<?, ?>) perServer.get("ratios");
            if (ratios != null && !ratios.isEmpty()) {
                b.append(md ? "\n" : "");
                for (var r : ratios.entrySet()) {
                    b.append(md ? "- ratio " : "  ratio ").append(r.getKey()).append(": ").append(r.getValue()).append('\n');
                }
            }
            b.append('\n');
        }
        if (summary.get("e") instanceof Map<?, ?> e) {
            b.append(md ? "## " : "== ").append("(e) durable (file) store vs memory store: committed writes/s, StoreBench\n\n");
            b.append(md ? "| writers | memory writes/s | memory p99 µs | file writes/s | file p99 µs | file/memory |\n"
                    + "| ---: | ---: | ---: | ---: | ---: | ---: |\n"
                    : String.format("%8s %16s %14s %16s %14s %12s%n", "writers", "memory writes/s", "memory p99 µs",
                            "file writes/s", "file p99 µs", "file/memory"));
            for (String w : List.of("1", "8", "64")) {
                Map<?, ?> mem = (Map<?, ?>) e.get("memory/" + w);
                Map<?, ?> file = (Map<?, ?>) e.get("file/" + w);
                if (mem == null || file == null) {
                    continue;
                }
                Object ratio = e.get("ratio file/memory writes/s, " + w + " writers");
                b.append(md ? String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %s |%n", w,
                                mem.get("writesPerSecond"), mem.get("p99Micros"), file.get("writesPerSecond"),
                                file.get("p99Micros"), ratio)
                        : String.format(Locale.ROOT, "%8s %16.0f %14.0f %16.0f %14.0f %12s%n", w, mem.get("writesPerSecond"),
                                mem.get("p99Micros"), file.get("writesPerSecond"), file.get("p99Micros"), ratio));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
