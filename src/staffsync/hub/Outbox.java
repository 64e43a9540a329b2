package staffsync.hub;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the hub sends during one turn (a batch of events taken from its queue), held back and
 * handed to each client once at the end of the turn: several frames for one client become one
 * buffer, so a busy stream costs each connection one queue entry, one wake-up of its writer
 * and one write per turn instead of one per message. When a turn's frames for a client are
 * exactly the turn's broadcasts (the usual case), every such client shares one joined buffer.
 *
 * <p>A large {@link Reply} keeps its place among a client's frames: the frames before it are
 * handed over before it, those after it after it.
 *
 * <p>Owned by the hub thread; nothing here is shared.
 */
final class Outbox {
    /** Each client's frames and replies (the only two kinds of entry), in order. */
    private final Map<Client, List<Object>> pending = new IdentityHashMap<>();
    /** Frames sent to every registered client this turn, in order. */
    private final List<Frame> broadcasts = new ArrayList<>();
    private Frame joinedBroadcasts;

    void send(Client client, Frame frame) {
        pending.computeIfAbsent(client, c -> new ArrayList<>(4)).add(frame);
    }

    void send(Client client, Reply reply) {
        pending.computeIfAbsent(client, c -> new ArrayList<>(4)).add(reply);
    }

    void broadcast(Iterable<Client> clients, Frame frame) {
        broadcasts.add(frame);
        for (Client client : clients) {
            send(client, frame);
        }
    }

    /** What to do about a client whose send threw: the others still get theirs. */
    interface SendFailure {
        void failed(Client client, Throwable failure);
    }

    /** Hands every client its frames, joined, and its replies in their places; then starts a new turn. */
    void flush(SendFailure onFailure) {
        try {
            List<Frame> frames = new ArrayList<>();
            for (Map.Entry<Client, List<Object>> entry : pending.entrySet()) {
                Client client = entry.getKey();
                try {
                    for (Object item : entry.getValue()) {
                        if (item instanceof Reply reply) {
                            handOver(client, frames);
                            client.send(reply);
                        } else {
                            frames.add((Frame) item);
                        }
                    }
                    handOver(client, frames);
                } catch (Throwable failure) {
                    frames.clear();
                    onFailure.failed(client, failure);
                }
            }
        } finally {
            pending.clear();
            broadcasts.clear();
            joinedBroadcasts = null;
        }
    }

    private void handOver(Client client, List<Frame> frames) {
        if (!frames.isEmpty()) {
            client.send(frames.size() == 1 ? frames.get(0) : joined(frames));
            frames.clear();
        }
    }

    private Frame joined(List<Frame> frames) {
        if (sameFrames(frames, broadcasts)) {
            if (joinedBroadcasts == null) {
                joinedBroadcasts = join(broadcasts);
            }
            return joinedBroadcasts;
        }
        return join(frames);
    }

    private static boolean sameFrames(List<Frame> a, List<Frame> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** WebSocket frames are self-delimiting, so joined frames are simply their bytes end to end. */
    private static Frame join(List<Frame> frames) {
        int size = 0;
        for (Frame frame : frames) {
            size += frame.size();
        }
        byte[] wire = new byte[size];
        int at = 0;
        for (Frame frame : frames) {
            System.arraycopy(frame.wire(), 0, wire, at, frame.size());
            at += frame.size();
        }
        return new Frame(wire);
    }
}
