package staffsync.store.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The names of the files in {@code DATA_DIR} and the few file-system moves done on them:
 * <pre>
 *   lock                          held (flock) by the one process using the directory
 *   epoch                         the numbering's name, one line
 *   segment-00000000000000000000.log   events after sequence 0 (the number is the segment's base)
 *   snapshot-00000000000000012345.snap rows and recent events as of sequence 12345
 *   *.tmp                         a file being written; never read, removed at start
 * </pre>
 * Names carry zero-padded sequence numbers so they sort in log order.
 *
 * <p>Holds no mutable state: safe from any thread.
 */
final class DataDirectory {
    static final String LOCK_FILE = "lock";
    static final String EPOCH_FILE = "epoch";
    private static final String SEGMENT_PREFIX = "segment-";
    private static final String SEGMENT_SUFFIX = ".log";
    private static final String SNAPSHOT_PREFIX = "snapshot-";
    private static final String SNAPSHOT_SUFFIX = ".snap";
    static final String TEMP_SUFFIX = ".tmp";

    /** A log file named by a sequence number: its base (segment) or its last event (snapshot). */
    record NumberedFile(long sequence, Path path) {}

    private final Path root;

    DataDirectory(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    Path file(String name) {
        return root.resolve(name);
    }

    Path segmentPath(long baseSequence) {
        return root.resolve(SEGMENT_PREFIX + String.format("%020d", baseSequence) + SEGMENT_SUFFIX);
    }

    Path snapshotPath(long sequence) {
        return root.resolve(SNAPSHOT_PREFIX + String.format("%020d", sequence) + SNAPSHOT_SUFFIX);
    }

    /** Segments, oldest first. */
    List<NumberedFile> segments() throws IOException {
        return numbered(SEGMENT_PREFIX, SEGMENT_SUFFIX);
    }

    /** Snapshots, oldest first. */
    List<NumberedFile> snapshots() throws IOException {
        return numbered(SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX);
    }

    /** Removes files a crash left half-written; they were never renamed, so never part of the state. */
    void deleteTempFiles() throws IOException {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(root, "*" + TEMP_SUFFIX)) {
            for (Path temp : temps) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * Makes creations, renames and deletions in the directory durable: without it a crash
     * can lose a new file's name even though its contents were fsynced.
     */
    void sync() throws IOException {
        try (FileChannel directory = FileChannel.open(root, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    /** Content written by {@link #replaceAtomically}. */
    interface FileContent {
        void writeTo(FileChannel channel) throws IOException;
    }

    /**
     * Writes a whole file so that a crash at any instant leaves either the old file or the
     * new one, never a part: write a temp file, fsync it, rename it over the target, fsync
     * the directory.
     */
    void replaceAtomically(Path target, FileContent content) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            sync();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private List<NumberedFile> numbered(String prefix, String suffix) throws IOException {
        List<NumberedFile> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, prefix + "*" + suffix)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                String digits = name.substring(prefix.length(), name.length() - suffix.length());
                try {
                    files.add(new NumberedFile(Long.parseLong(digits), entry));
                } catch (NumberFormatException e) {
                    throw new IOException("unexpected file " + entry + " in the data directory", e);
                }
            }
        }
        files.sort(Comparator.comparingLong(NumberedFile::sequence));
        return files;
    }
}
