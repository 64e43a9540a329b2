package staffsync.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A seam for tests to make the disk fail the way a full disk does: called before each write
 * of log bytes (and of the health probe). The real store uses {@link #NONE}. A test version
 * may write part of {@code data} itself and then throw, leaving partial bytes behind exactly
 * as an ENOSPC in the middle of a write would.
 *
 * <p>Called on the store's writer thread only.
 */
@FunctionalInterface
interface WriteFaults {
    WriteFaults NONE = (channel, position, data) -> { };

    void beforeWrite(FileChannel channel, long position, ByteBuffer data) throws IOException;
}
