package staffsync.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import staffsync.metrics.Metrics;
import staffsync.protocol.ClientRequest.CreateStaff;
import staffsync.protocol.ClientRequest.DeleteStaff;
import staffsync.protocol.ClientRequest.SyncRequest;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffFields;
import staffsync.store.CommitListener;
import staffsync.store.MemoryStore;
import staffsync.store.MutationResult;
import staffsync.store.StaffStore;
import staffsync.store.StoreHealth;

/** The hub in-process, with clients that record what they are sent. */
class HubTest {
    Hub hub;
    Thread hubThread;

    /** A memory store whose writes wait until the test opens the gate. */
    static final class GatedStore implements StaffStore {
        final MemoryStore inner = new MemoryStore();
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger applies = new AtomicInteger();

        @Override public String kind() { return "gated"; }
        @Override public void start(CommitListener listener) { inner.start(listener); }
        @Override public StoreHealth health() { return inner.health(); }
        @Override public void close() { inner.close(); }

        @Override
        public MutationResult apply(Mutation mutation, Origin origin) {
            applies.incrementAndGet();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inner.apply(mutation, origin);
        }
    }

    static class RecordingClient implements Client {
        final String id;
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final AtomicInteger settled = new AtomicInteger();
        final BlockingQueue<String> failures = new LinkedBlockingQueue<>();

        RecordingClient(String id) { this.id = id; }
        @Override public String connectionId() { return id; }
        /** Frames may arrive joined (see Outbox); the test encoder ends each with a newline. */
        @Override public void send(Frame frame) {
            for (String message : new String(frame.wire(), StandardCharsets.UTF_8).split("\n")) {
                frames.add(message);
            }
        }
        /** A large reply is read to its end at once, as a fast client would. */
        @Override public void send(Reply reply) {
            StringBuilder text = new StringBuilder();
            for (ByteBuffer[] piece; (piece = reply.nextPiece()) != null; ) {
                for (ByteBuffer part : piece) {
                    text.append(StandardCharsets.UTF_8.decode(part.duplicate()));
                }
            }
            reply.written();
            for (String message : text.toString().split("\n")) {
                frames.add(message);
            }
        }
        @Override public void mutationSettled() { settled.incrementAndGet(); }
        @Override public boolean isClosed() { return false; }
        @Override public void failed(String reason) { failures.add(reason); }

        String next() throws InterruptedException {
            String frame = frames.poll(5, TimeUnit.SECONDS);
            if (frame == null) {
                throw new AssertionError("nothing sent to " + id);
            }
            return frame;
        }
    }

    /** Each message a line of JSON; a message in pieces is its pieces end to end, then the newline. */
    static final class LineFrames implements FrameEncoder {
        @Override public Frame encode(String json) {
            return lines(json);
        }
        @Override public ByteBuffer[] encodePiece(ByteBuffer[] json, boolean first, boolean last) {
            if (!last) {
                return json;
            }
            ByteBuffer[] withEnd = Arrays.copyOf(json, json.length + 1);
            withEnd[json.length] = ByteBuffer.wrap(new byte[] {'\n'});
            return withEnd;
        }
    }

    static Frame lines(String json) {
        return new Frame((json + "\n").getBytes(StandardCharsets.UTF_8));
    }

    Hub startHub(StaffStore store) {
        return startHub(store, new LineFrames());
    }

    Hub startHub(StaffStore store, FrameEncoder encoder) {
        hub = new Hub(store, 4, 100, 100, encoder, new Metrics(), "test");
        hubThread = new Thread(hub, "hub");
        hubThread.start();
        store.start(hub.storeListener());
        return hub;
    }

    @AfterEach
    void stop() throws Exception {
        hub.shutdown(1_000);
        hubThread.join(2_000);
    }

    static CreateStaff create(String id) {
        return new CreateStaff(id, new StaffFields("Name", null, null, null, null, List.of("name")));
    }

    @Test
    void aRetryArrivingWhileTheOriginalIsAtTheStoreWaitsForItAndIsNotApplied() throws Exception {
        GatedStore store = new GatedStore();
        startHub(store);
        RecordingClient original = registered("c1");
        RecordingClient retry = registered("c2");
        Origin origin = new Origin("same-client", 7L);
        hub.submit(new HubEvent.MutationRequested(original, origin, create("r")));
        hub.submit(new HubEvent.MutationRequested(retry, origin, create("r")));
        fence(); // the hub has taken both: the retry waits while the original is at the store
        store.gate.countDown();

        String atOriginal = original.next();
        assertEquals(atOriginal, retry.next(), "both hear the one broadcast");
        assertTrue(atOriginal.contains("\"inReplyTo\":7"));
        assertEquals(1, store.applies.get(), "the store saw the change once");
        assertEquals(1, retry.settled.get());
        hub.submit(new HubEvent.SyncRequested(retry, new SyncRequest(null, null, null), 99L));
        assertTrue(retry.next().contains("\"inReplyTo\":99"), "no second answer came before this reply");
    }

    @Test
    void aDifferentMessageWithTheKeyOfOneStillAtTheStoreIsSequenceReusedAndNotApplied() throws Exception {
        GatedStore store = new GatedStore();
        startHub(store);
        RecordingClient first = new RecordingClient("c1");
        RecordingClient reuser = new RecordingClient("c2");
        hub.submit(new HubEvent.Register(first));
        hub.submit(new HubEvent.Register(reuser));
        first.next();
        reuser.next();
        hub.submit(new HubEvent.MutationRequested(first, new Origin("same-client", 7L, "fingerprint-a"), create("a")));
        hub.submit(new HubEvent.MutationRequested(reuser, new Origin("same-client", 7L, "fingerprint-b"), create("b")));

        String refusal = reuser.next();
        assertTrue(refusal.contains("\"code\":\"SEQUENCE_REUSED\"") && refusal.contains("\"inReplyTo\":7"), refusal);
        assertEquals(1, reuser.settled.get());
        store.gate.countDown();
        assertTrue(first.next().contains("\"id\":\"a\""));
        assertEquals(1, store.applies.get(), "only the first change reached the store");
    }

    @Test
    void anUnregisteredClientReceivesNothingMore() throws Exception {
        MemoryStore store = new MemoryStore();
        startHub(store);
        RecordingClient gone = new RecordingClient("gone");
        RecordingClient stays = new RecordingClient("stays");
        hub.submit(new HubEvent.Register(gone));
        hub.submit(new HubEvent.Register(stays));
        hub.submit(new HubEvent.Unregister(gone));
        hub.submit(new HubEvent.MutationRequested(stays, new Origin("s", null), create("x")));
        stays.next();
        assertTrue(stays.next().contains("STAFF_CREATE"));
        fence(); // every turn before it, the broadcast's included, has been sent
        gone.next(); // its CONNECTION_ACK
        assertEquals(0, gone.frames.size());
    }

    @Test
    void anErrorWhileAnsweringOneRequestFailsItAloneWithInternalAndTheHubGoesOn() throws Exception {
        // Building this one reply throws an Error (a StackOverflowError stands for any bug deep in it).
        startHub(new MemoryStore(), json -> {
            if (json.contains("\"SYNC_RESPONSE\"")) {
                throw new StackOverflowError("while encoding a snapshot");
            }
            return lines(json);
        });
        RecordingClient client = new RecordingClient("c1");
        hub.submit(new HubEvent.Register(client));
        client.next();
        hub.submit(new HubEvent.SyncRequested(client, new SyncRequest(null, null, null), 5L));
        String error = client.next();
        assertTrue(error.contains("\"code\":\"INTERNAL\"") && error.contains("\"inReplyTo\":5"), error);

        hub.submit(new HubEvent.MutationRequested(client, new Origin("c1", 6L), create("after")));
        assertTrue(client.next().contains("\"STAFF_CREATE\""), "the hub still handles events");
        assertTrue(hub.status().running());
    }

    @Test
    void aClientWhoseSendThrowsIsClosedAndTheOthersKeepReceiving() throws Exception {
        startHub(new MemoryStore());
        RecordingClient broken = new RecordingClient("broken") {
            @Override public void send(Frame frame) {
                throw new IllegalStateException("this connection's queue is broken");
            }
        };
        RecordingClient healthy = new RecordingClient("healthy");
        hub.submit(new HubEvent.Register(broken));
        hub.submit(new HubEvent.Register(healthy));
        healthy.next();
        String reason = broken.failures.poll(5, TimeUnit.SECONDS);
        assertTrue(reason != null, "the broken client was told to close");

        hub.submit(new HubEvent.MutationRequested(healthy, new Origin("healthy", 1L), create("x")));
        assertTrue(healthy.next().contains("\"STAFF_CREATE\""), "the hub still broadcasts");
        assertEquals(0, broken.failures.size(), "the closed client is not sent to again");
    }

    @Test
    void aClientWhoseSendAndCloseBothThrowErrorsCannotEndTheHubThread() throws Exception {
        startHub(new MemoryStore());
        RecordingClient broken = new RecordingClient("broken") {
            @Override public void send(Frame frame) {
                throw new StackOverflowError("in this connection's send");
            }
            @Override public void failed(String reason) {
                failures.add(reason);
                throw new StackOverflowError("in this connection's close");
            }
        };
        RecordingClient healthy = new RecordingClient("healthy");
        hub.submit(new HubEvent.Register(broken));
        hub.submit(new HubEvent.Register(healthy));
        healthy.next();
        assertTrue(broken.failures.poll(5, TimeUnit.SECONDS) != null, "the broken client was told to close");

        hub.submit(new HubEvent.MutationRequested(healthy, new Origin("healthy", 1L), create("x")));
        assertTrue(healthy.next().contains("\"STAFF_CREATE\""), "the hub still serves the others");
        assertTrue(hub.status().running());
    }

    @Test
    void anEventTheHubFailedToSendClosesItsClientsAndLeavesNoGapInNumberingOrRows() throws Exception {
        // Encoding the event of row "lost" fails (a bug): the store has committed it as event 1.
        startHub(new MemoryStore(), json -> {
            if (json.contains("\"type\":\"STAFF_CREATE\"") && json.contains("\"id\":\"lost\"")) {
                throw new IllegalStateException("while encoding an event");
            }
            return lines(json);
        });
        RecordingClient present = new RecordingClient("present");
        hub.submit(new HubEvent.Register(present));
        present.next();
        hub.submit(new HubEvent.MutationRequested(present, new Origin("present", 1L), create("lost")));
        String reason = present.failures.poll(5, TimeUnit.SECONDS);
        assertTrue(reason != null && reason.contains("reconnect"), "a client that missed the event is told to catch up");
        awaitSettled(present, 1);

        RecordingClient back = new RecordingClient("back");
        hub.submit(new HubEvent.Register(back));
        String ack = back.next();
        assertTrue(ack.contains("\"sequenceNumber\":1"), ack);
        hub.submit(new HubEvent.MutationRequested(back, new Origin("back", 1L), create("next")));
        String next = back.next();
        assertTrue(next.contains("\"STAFF_CREATE\"") && next.contains("\"sequenceNumber\":2"), "no gap: " + next);
        String epoch = ack.replaceAll(".*\"epoch\":\"([^\"]+)\".*", "$1");
        hub.submit(new HubEvent.SyncRequested(back, new SyncRequest(null, 0L, epoch), 9L));
        String catchUp = back.next();
        assertTrue(catchUp.contains("\"SYNC_RESPONSE\"") && catchUp.contains("\"lost\"") && catchUp.contains("\"next\""),
                "catching up from before it is a snapshot holding the change, not a replay with a hole: " + catchUp);
    }

    @Test
    void aStoreCallThatThrowsAnErrorFailsThatChangeWithInternalAndTheLaneGoesOn() throws Exception {
        MemoryStore inner = new MemoryStore();
        StaffStore failing = new StaffStore() {
            @Override public String kind() { return "failing"; }
            @Override public void start(CommitListener listener) { inner.start(listener); }
            @Override public StoreHealth health() { return inner.health(); }
            @Override public void close() { inner.close(); }
            @Override public MutationResult apply(Mutation mutation, Origin origin) {
                if (mutation.staffId().equals("bad")) {
                    throw new AssertionError("a bug in the store");
                }
                return inner.apply(mutation, origin);
            }
        };
        // One lane, so the change after the failure runs on the lane that failed.
        hub = new Hub(failing, 1, 100, 100, HubTest::lines, new Metrics(), "test");
        hubThread = new Thread(hub, "hub");
        hubThread.start();
        failing.start(hub.storeListener());
        RecordingClient client = new RecordingClient("c1");
        hub.submit(new HubEvent.Register(client));
        client.next();
        hub.submit(new HubEvent.MutationRequested(client, new Origin("c1", 1L), create("bad")));
        String error = client.next();
        assertTrue(error.contains("\"code\":\"INTERNAL\"") && error.contains("\"inReplyTo\":1"), error);
        hub.submit(new HubEvent.MutationRequested(client, new Origin("c1", 2L), create("good")));
        assertTrue(client.next().contains("\"STAFF_CREATE\""));
        // The lane settles a change after the store returns, which may be after its broadcast arrived.
        awaitSettled(client, 2);
    }

    @Test
    void aChangeWhoseOutcomeFailsInTheHubStillGivesBackItsPlace() throws Exception {
        // The refusal of a change the store turned down cannot be encoded: handling MutationDone throws.
        startHub(new MemoryStore(), failingToEncodeNotFound());
        RecordingClient client = new RecordingClient("c1");
        hub.submit(new HubEvent.Register(client));
        client.next();

        hub.submit(new HubEvent.MutationRequested(client, new Origin("c1", 1L), new DeleteStaff("missing", null)));

        awaitSettled(client, 1);
        String error = client.next();
        assertTrue(error.contains("\"code\":\"INTERNAL\"") && error.contains("\"inReplyTo\":1"), error);
        fence();
        assertEquals(1, client.settled.get(), "settled once, not again by the failure's answer");
    }

    @Test
    void aRetryWaitingForAChangeWhoseOutcomeFailsInTheHubIsAnsweredToo() throws Exception {
        // As above, but a retry of the change arrived while it was at the store and waits for its outcome.
        GatedStore store = new GatedStore();
        startHub(store, failingToEncodeNotFound());
        RecordingClient original = registered("c1");
        RecordingClient retry = registered("c2");
        Origin origin = new Origin("same-client", 4L);
        hub.submit(new HubEvent.MutationRequested(original, origin, new DeleteStaff("missing", null)));
        hub.submit(new HubEvent.MutationRequested(retry, origin, new DeleteStaff("missing", null)));
        fence(); // the retry waits while the original is at the store
        store.gate.countDown();

        String atOriginal = original.next();
        assertTrue(atOriginal.contains("\"code\":\"INTERNAL\"") && atOriginal.contains("\"inReplyTo\":4"), atOriginal);
        assertEquals(atOriginal, retry.next(), "the waiting retry hears the same");
        awaitSettled(retry, 1);
        fence();
        assertEquals(1, retry.settled.get(), "settled once");
        assertEquals(1, original.settled.get(), "settled once");
    }

    /** A client the hub has registered, its CONNECTION_ACK taken. */
    private RecordingClient registered(String id) throws InterruptedException {
        RecordingClient client = new RecordingClient(id);
        hub.submit(new HubEvent.Register(client));
        client.next();
        return client;
    }

    /** Encodes as the tests do, except a NOT_FOUND refusal, where it throws as a bug would. */
    private static FrameEncoder failingToEncodeNotFound() {
        return json -> {
            if (json.contains("\"NOT_FOUND\"")) {
                throw new IllegalStateException("a bug in encoding the refusal");
            }
            return lines(json);
        };
    }

    /**
     * Returns once the hub has handled every event submitted before it and handed out all they
     * sent: what has not arrived by then is not coming. A client registers after those events
     * (its CONNECTION_ACK proves they were handled, in its turn or before), then asks for a
     * snapshot, which the hub can only take in a later turn, so its reply proves that the turn of
     * the registration, like every one before, has been sent out to the end.
     */
    private void fence() throws InterruptedException {
        RecordingClient fence = new RecordingClient("fence");
        hub.submit(new HubEvent.Register(fence));
        assertTrue(fence.next().contains("\"CONNECTION_ACK\""));
        hub.submit(new HubEvent.SyncRequested(fence, new SyncRequest(null, null, null), 0L));
        assertTrue(fence.next().contains("\"inReplyTo\":0"));
        hub.submit(new HubEvent.Unregister(fence));
    }

    /** Waits (up to 5 s) until the client's changes settled count reaches the expected number. */
    private static void awaitSettled(RecordingClient client, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (client.settled.get() != expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(expected, client.settled.get(), "changes settled");
    }
}
