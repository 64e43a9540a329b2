package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One writer thread writes many connections: whatever goes wrong with one of them closes that
 * one and leaves the thread writing the others. The connections here are the writer's view of a
 * connection ({@link WritableConnection}) acting out one failure each.
 */
class SocketWriterTest {
    private static final long WAIT_SECONDS = 10;

    private final SocketWriter writer = new SocketWriter("test-writer");
    /** An unconnected socket left in blocking mode: a selector refuses to wait on it. */
    private SocketChannel blockingChannel;

    @BeforeEach
    void start() throws IOException {
        blockingChannel = SocketChannel.open();
        writer.start();
    }

    @AfterEach
    void stop() throws Exception {
        writer.stop();
        blockingChannel.close();
    }

    /** A connection that answers its first write as told and has nothing more after it. */
    private final class ScriptedConnection extends WritableConnection {
        final CountDownLatch written = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        private final Supplier<WriteResult> firstWrite;
        private final Runnable onClose;
        private boolean firstDone;

        ScriptedConnection(Supplier<WriteResult> firstWrite, Runnable onClose) {
            this.firstWrite = firstWrite;
            this.onClose = onClose;
        }

        @Override
        String connectionId() {
            return "scripted";
        }

        @Override
        SocketChannel channel() {
            return blockingChannel;
        }

        @Override
        WriteResult writeQueued(ByteBuffer[] scratch) {
            written.countDown();
            if (firstDone) {
                return WriteResult.EMPTY;
            }
            firstDone = true;
            return firstWrite.get();
        }

        @Override
        boolean hasQueued() {
            return false;
        }

        @Override
        void closeAfterWriteFailure() {
            closed.countDown();
            onClose.run();
        }
    }

    private ScriptedConnection healthy() {
        return new ScriptedConnection(() -> WritableConnection.WriteResult.EMPTY, () -> { });
    }

    private static boolean awaited(CountDownLatch latch) throws InterruptedException {
        return latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void aConnectionWhoseWriteThrowsIsClosedAndTheNextIsStillWritten() throws Exception {
        ScriptedConnection throwing = new ScriptedConnection(() -> {
            throw new IllegalStateException("a bug in one connection's write");
        }, () -> { });
        ScriptedConnection next = healthy();

        writer.schedule(throwing);
        assertTrue(awaited(throwing.closed), "the throwing connection is closed");
        writer.schedule(next);

        assertTrue(awaited(next.written), "the writer still writes other connections");
    }

    @Test
    void aConnectionTheWriterCannotWaitOnIsClosedAndTheNextIsStillWritten() throws Exception {
        // BLOCKED with a channel in blocking mode: registering it throws IllegalBlockingModeException.
        ScriptedConnection unwaitable = new ScriptedConnection(() -> WritableConnection.WriteResult.BLOCKED, () -> { });
        ScriptedConnection next = healthy();

        writer.schedule(unwaitable);
        assertTrue(awaited(unwaitable.closed), "the connection is closed");
        writer.schedule(next);

        assertTrue(awaited(next.written), "the writer still writes other connections");
    }

    @Test
    void aConnectionWhoseCloseThrowsDoesNotStopTheWriter() throws Exception {
        ScriptedConnection failing = new ScriptedConnection(() -> WritableConnection.WriteResult.FAILED, () -> {
            throw new IllegalStateException("a bug while closing");
        });
        ScriptedConnection next = healthy();

        writer.schedule(failing);
        assertTrue(awaited(failing.closed));
        writer.schedule(next);

        assertTrue(awaited(next.written), "the writer still writes other connections");
    }
}
