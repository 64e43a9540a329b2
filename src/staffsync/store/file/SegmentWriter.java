package staffsync.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends batches of records to one segment file and makes each batch durable before
 * returning. Remembers how many bytes are known to be on disk, so a failed write can be cut
 * back to that point before anything else is appended: the file never holds a partial batch
 * followed by good records.
 *
 * <p>Owned by the store's writer thread; not thread-safe.
 */
final class SegmentWriter implements AutoCloseable {
    private final Path path;
    private final long baseSequence;
    private final FileChannel channel;
    private final WriteFaults faults;
    private long durableSize;

    private SegmentWriter(Path path, long baseSequence, FileChannel channel, long durableSize, WriteFaults faults) {
        this.path = path;
        this.baseSequence = baseSequence;
        this.channel = channel;
        this.durableSize = durableSize;
        this.faults = faults;
    }

    /** A new, empty segment; the caller syncs the directory so its name survives a crash. */
    static SegmentWriter create(Path path, long baseSequence, WriteFaults faults) throws IOException {
        // TRUNCATE_EXISTING: a file of this name can only be an empty leftover of a roll that failed
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        channel.force(true);
        return new SegmentWriter(path, baseSequence, channel, 0, faults);
    }

    /** An existing segment whose first {@code validSize} bytes were checked at start. */
    static SegmentWriter openForAppend(Path path, long baseSequence, long validSize, WriteFaults faults)
            throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE);
        return new SegmentWriter(path, baseSequence, channel, validSize, faults);
    }

    /** Writes the whole batch after the durable end and fsyncs; on failure nothing counts as written. */
    void appendAndSync(ByteBuffer batch) throws IOException {
        long position = durableSize;
        faults.beforeWrite(channel, position, batch.duplicate());
        while (batch.hasRemaining()) {
            position += channel.write(batch, position);
        }
        // force(false) is fdatasync: it also flushes the file size, which reading the data back needs
        channel.force(false);
        durableSize = position;
    }

    /** Cuts off whatever a failed write left after the durable end. */
    void discardUndurableBytes() throws IOException {
        if (channel.size() != durableSize) {
            channel.truncate(durableSize);
            channel.force(false);
        }
    }

    long size() {
        return durableSize;
    }

    long baseSequence() {
        return baseSequence;
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
