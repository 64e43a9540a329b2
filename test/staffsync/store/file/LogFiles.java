package staffsync.store.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Looks at and damages a data directory's files, as a crash or a bad disk would. */
final class LogFiles {
    private LogFiles() {}

    static Path onlySegment(Path dir) throws IOException {
        List<Path> segments = segments(dir);
        if (segments.size() != 1) {
            throw new AssertionError("expected one segment, found " + segments);
        }
        return segments.get(0);
    }

    static List<Path> segments(Path dir) throws IOException {
        return matching(dir, "segment-", ".log");
    }

    static List<Path> snapshots(Path dir) throws IOException {
        return matching(dir, "snapshot-", ".snap");
    }

    static void flipByte(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= 0x5A;
        Files.write(file, bytes);
    }

    /** A copy of the directory's epoch and log files (not the lock) in {@code target}. */
    static void copyLog(Path from, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                if (!file.getFileName().toString().equals("lock")) {
                    Files.copy(file, target.resolve(file.getFileName()));
                }
            }
        }
    }

    private static List<Path> matching(Path dir, String prefix, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)
                    && f.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }
}
