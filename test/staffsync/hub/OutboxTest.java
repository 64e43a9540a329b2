package staffsync.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboxTest {

    static final class Sink implements Client {
        final List<Frame> received = new ArrayList<>();
        @Override public String connectionId() { return "sink"; }
        final List<Object> sent = new ArrayList<>();
        @Override public void send(Frame frame) { received.add(frame); sent.add(frame); }
        @Override public void send(Reply reply) { sent.add(reply); }
        @Override public boolean isClosed() { return false; }
        @Override public void mutationSettled() { }
        @Override public void failed(String reason) { throw new AssertionError("failed: " + reason); }
    }

    /** These tests' clients never fail to take their frames. */
    static final Outbox.SendFailure UNEXPECTED = (client, failure) -> {
        throw new AssertionError("sending to " + client.connectionId() + " failed", failure);
    };

    static Frame frame(int... bytes) {
        byte[] wire = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            wire[i] = (byte) bytes[i];
        }
        return new Frame(wire);
    }

    @Test
    void aClientsFramesOfOneTurnLeaveAsOneBufferInOrder() {
        Outbox outbox = new Outbox();
        Sink client = new Sink();
        outbox.stage(client, frame(1, 2));
        outbox.stage(client, frame(3));
        outbox.endTurn(UNEXPECTED);
        assertEquals(1, client.received.size());
        assertArrayEquals(new byte[] {1, 2, 3}, client.received.get(0).wire());
    }

    @Test
    void aSingleFrameIsPassedOnWithoutACopy() {
        Outbox outbox = new Outbox();
        Sink client = new Sink();
        Frame only = frame(9);
        outbox.stage(client, only);
        outbox.endTurn(UNEXPECTED);
        assertSame(only, client.received.get(0));
    }

    @Test
    void clientsThatGotExactlyTheBroadcastsShareOneJoinedBuffer() {
        Outbox outbox = new Outbox();
        Sink a = new Sink();
        Sink b = new Sink();
        Sink late = new Sink();
        outbox.stageBroadcast(List.of(a, b), frame(1));
        outbox.stage(late, frame(7)); // e.g. its CONNECTION_ACK
        outbox.stageBroadcast(List.of(a, b, late), frame(2));
        outbox.endTurn(UNEXPECTED);
        assertSame(a.received.get(0), b.received.get(0));
        assertArrayEquals(new byte[] {1, 2}, a.received.get(0).wire());
        assertArrayEquals(new byte[] {7, 2}, late.received.get(0).wire());
    }

    @Test
    void endingATurnStartsANewOne() {
        Outbox outbox = new Outbox();
        Sink client = new Sink();
        outbox.stage(client, frame(1));
        outbox.endTurn(UNEXPECTED);
        outbox.endTurn(UNEXPECTED);
        assertEquals(1, client.received.size());
    }

    @Test
    void aClientWhoseSendThrowsIsReportedAndTheOthersStillGetTheirFrames() {
        Outbox outbox = new Outbox();
        Sink before = new Sink();
        Client broken = new Client() {
            @Override public String connectionId() { return "broken"; }
            @Override public void send(Frame frame) { throw new StackOverflowError("in send"); }
            @Override public void send(Reply reply) { throw new StackOverflowError("in send"); }
            @Override public boolean isClosed() { return false; }
            @Override public void mutationSettled() { }
            @Override public void failed(String reason) { }
        };
        Sink after = new Sink();
        Frame event = frame(7);
        outbox.stageBroadcast(List.of(before, broken, after), event);
        List<String> reported = new ArrayList<>();
        outbox.endTurn((client, failure) -> reported.add(client.connectionId() + ": " + failure.getMessage()));
        assertEquals(List.of("broken: in send"), reported);
        assertSame(event, before.received.get(0));
        assertSame(event, after.received.get(0));
    }

    @Test
    void aReplyKeepsItsPlaceAmongTheClientsFrames() {
        Outbox outbox = new Outbox();
        Sink client = new Sink();
        Reply reply = new Reply() {
            @Override protected java.nio.ByteBuffer[] piece() { return null; }
        };
        outbox.stage(client, frame(1));
        outbox.stage(client, frame(2));
        outbox.stage(client, reply);
        outbox.stage(client, frame(3));
        outbox.endTurn(UNEXPECTED);
        assertEquals(3, client.sent.size());
        assertArrayEquals(new byte[] {1, 2}, ((Frame) client.sent.get(0)).wire());
        assertSame(reply, client.sent.get(1));
        assertArrayEquals(new byte[] {3}, ((Frame) client.sent.get(2)).wire());
    }
}
