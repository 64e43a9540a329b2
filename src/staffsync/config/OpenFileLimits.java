package staffsync.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's open-files limit (RLIMIT_NOFILE), soft and hard. Java cannot change it, but on
 * Linux HotSpot raises the soft limit to the hard one itself at start (-XX:+MaxFDLimit, on by
 * default), so what is read here after start is what the server really has. Read from
 * {@code /proc/self/limits}; -1 where that is not available.
 */
public record OpenFileLimits(long soft, long hard) {
    private static final Path LIMITS = Path.of("/proc/self/limits");

    public static OpenFileLimits read() {
        try {
            for (String line : Files.readAllLines(LIMITS)) {
                if (line.startsWith("Max open files")) {
                    String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
                    return new OpenFileLimits(parse(fields[0]), parse(fields[1]));
                }
            }
        } catch (IOException | RuntimeException unavailable) {
            // not Linux, or /proc is not mounted: unknown
        }
        return new OpenFileLimits(-1, -1);
    }

    private static long parse(String value) {
        return value.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(value);
    }

    public boolean known() {
        return soft > 0;
    }

    @Override
    public String toString() {
        return known() ? "soft " + text(soft) + ", hard " + text(hard) : "unknown";
    }

    private static String text(long limit) {
        return limit == Long.MAX_VALUE ? "unlimited" : Long.toString(limit);
    }
}
