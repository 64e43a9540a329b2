package staffsync.store.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;
import staffsync.protocol.ChangeEvent;
import staffsync.store.RowTable;
import staffsync.store.StoreStartException;
import staffsync.store.file.DataDirectory.NumberedFile;

/**
 * Rebuilds the store's state at start: the newest snapshot, then the events of the segments
 * after it. Work is proportional to the snapshot plus the tail: segments wholly covered by
 * the snapshot (left behind by a crash during compaction) are skipped unread.
 *
 * <p>Checks as it goes: events must continue the numbering with no gap and no repeat, a torn
 * tail of the last segment is cut off (and logged with its offset), anything else wrong
 * stops startup with a {@link StoreStartException} naming the file and offset.
 *
 * <p>Runs once, on the thread that opens the store.
 */
final class LogRecovery {
    private static final Logger LOG = Logger.getLogger(LogRecovery.class.getName());

    /** The loaded state, with the last segment open for appending. */
    record Recovered(String epoch, long sequence, RowTable table, RecentEvents recent, SegmentWriter segment) {}

    private final DataDirectory directory;
    private final RowTable table = new RowTable();
    private final RecentEvents recent;
    private long sequence;

    private LogRecovery(DataDirectory directory, int recentLimit) {
        this.directory = directory;
        this.recent = new RecentEvents(recentLimit);
    }

    static Recovered recover(DataDirectory directory, int recentLimit, WriteFaults faults) {
        try {
            return new LogRecovery(directory, recentLimit).run(faults);
        } catch (IOException e) {
            throw new StoreStartException("cannot read the data directory " + directory.root() + ": " + e, e);
        }
    }

    private Recovered run(WriteFaults faults) throws IOException {
        directory.deleteTempFiles();
        List<NumberedFile> segments = directory.segments();
        List<NumberedFile> snapshots = directory.snapshots();
        String epoch = readOrCreateEpoch(!segments.isEmpty() || !snapshots.isEmpty());

        if (!snapshots.isEmpty()) {
            loadSnapshot(snapshots.get(snapshots.size() - 1).path(), epoch);
        }
        long snapshotSequence = sequence;
        SegmentReader.Scan lastScan = null;
        for (int i = 0; i < segments.size(); i++) {
            boolean last = i == segments.size() - 1;
            if (!last && segments.get(i + 1).sequence() <= snapshotSequence) {
                continue; // every event in it is also in the snapshot
            }
            lastScan = replaySegment(segments.get(i), last);
        }

        SegmentWriter segment;
        if (segments.isEmpty()) {
            segment = SegmentWriter.create(directory.segmentPath(sequence), sequence, faults);
            directory.sync();
        } else {
            NumberedFile lastSegment = segments.get(segments.size() - 1);
            if (lastScan.hasTornTail()) {
                cutTornTail(lastSegment.path(), lastScan);
            }
            segment = SegmentWriter.openForAppend(lastSegment.path(), lastSegment.sequence(), lastScan.validBytes(),
                    faults);
        }
        LOG.info("event log loaded from " + directory.root() + ": epoch " + epoch + ", sequence " + sequence + ", "
                + table.size() + " rows");
        return new Recovered(epoch, sequence, table, recent, segment);
    }

    /**
     * The epoch is made once, with a fresh directory, and kept for good: the numbering only
     * restarts if the log is gone. Log files without an epoch file mean someone removed it;
     * guessing would risk two numberings under one name, so refuse.
     */
    private String readOrCreateEpoch(boolean logFilesExist) throws IOException {
        Path file = directory.file(DataDirectory.EPOCH_FILE);
        if (Files.exists(file)) {
            String epoch = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (epoch.isEmpty()) {
                throw new StoreStartException("the epoch file " + file + " is empty");
            }
            return epoch;
        }
        if (logFilesExist) {
            throw new StoreStartException("the data directory " + directory.root() + " has log files but no epoch "
                    + "file " + file + "; restore it, or move the directory away to start a new log");
        }
        String epoch = UUID.randomUUID().toString();
        byte[] text = (epoch + "\n").getBytes(StandardCharsets.UTF_8);
        directory.replaceAtomically(file, channel -> channel.write(java.nio.ByteBuffer.wrap(text)));
        LOG.info("new event log in " + directory.root() + ": epoch " + epoch);
        return epoch;
    }

    private void loadSnapshot(Path file, String epoch) throws IOException {
        Snapshot snapshot = Snapshot.read(file);
        if (!snapshot.epoch().equals(epoch)) {
            throw new StoreStartException("snapshot " + file + " belongs to epoch " + snapshot.epoch()
                    + ", but the epoch file says " + epoch);
        }
        table.load(snapshot.rows());
        snapshot.recentEvents().forEach(recent::add);
        sequence = snapshot.sequence();
    }

    private SegmentReader.Scan replaySegment(NumberedFile segment, boolean last) throws IOException {
        if (segment.sequence() > sequence) {
            throw new StoreStartException("events " + (sequence + 1) + " to " + segment.sequence()
                    + " are missing: " + segment.path() + " starts after sequence " + segment.sequence()
                    + " but the log before it ends at " + sequence);
        }
        return SegmentReader.scan(segment.path(), last, (event, offset) -> replay(segment.path(), event, offset));
    }

    private void replay(Path file, ChangeEvent event, long offset) {
        if (event.sequence() <= sequence) {
            return; // already part of the snapshot
        }
        if (event.sequence() != sequence + 1) {
            throw SegmentReader.corrupt(file, offset, "event " + event.sequence() + " where " + (sequence + 1)
                    + " was expected");
        }
        table.commit(event);
        recent.add(event);
        sequence = event.sequence();
    }

    private static void cutTornTail(Path file, SegmentReader.Scan scan) throws IOException {
        LOG.warning("torn tail in " + file + " at offset " + scan.validBytes() + ": " + scan.tailProblem() + "; cutting off "
                + (scan.fileBytes() - scan.validBytes()) + " bytes (a write a crash interrupted, never acknowledged)");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(scan.validBytes());
            channel.force(true);
        }
    }
}
