package staffsync.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A disk that can fill up: while full, each write puts down half its bytes (as a write cut
 * short by ENOSPC would) and then fails with the kernel's message. Also counts writes, which
 * for the log is one per group-commit batch. Safe from any thread.
 */
final class DiskFaults implements WriteFaults {
    private volatile boolean full;
    private final AtomicInteger writes = new AtomicInteger();

    void fill() {
        full = true;
    }

    void free() {
        full = false;
    }

    int writes() {
        return writes.get();
    }

    @Override
    public void beforeWrite(FileChannel channel, long position, ByteBuffer data) throws IOException {
        writes.incrementAndGet();
        if (full) {
            ByteBuffer half = data.duplicate();
            half.limit(half.position() + half.remaining() / 2);
            channel.write(half, position);
            throw new IOException("No space left on device");
        }
    }
}
