package staffsync.hub;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the hub sends during one turn (a batch of events taken from its queue): {@code stage}
 * only notes it; {@link #endTurn} hands each client its frames, once, at the end of the turn.
 * Several frames for one client become one buffer ({@link Frame#joined}), so a busy stream costs
 * each connection one queue entry, one wake-up of its writer and one write per turn instead of
 * one per message. When a turn's frames for a client are exactly the turn's broadcasts (the
 * usual case), every such client shares one joined buffer.
 *
 * <p>A large {@link Reply} keeps its place among a client's frames: the frames before it are
 * handed over before it, those after it after it.
 *
 * <p>Owned by the hub thread; nothing here is shared.
 */
final class Outbox {
    /** Each client's frames and replies, in order. */
    private final Map<Client, List<Outgoing>> staged = new IdentityHashMap<>();
    /** Frames staged for every registered client this turn, in order. */
    private final List<Frame> broadcasts = new ArrayList<>();
    private Frame joinedBroadcasts;

    /** Notes a frame (or a large reply) for one client; it is handed over at the end of the turn. */
    void stage(Client client, Outgoing outgoing) {
        staged.computeIfAbsent(client, c -> new ArrayList<>(4)).add(outgoing);
    }

    /** Notes a frame for each of these clients (every registered one): the Go hub's broadcast case. */
    void stageBroadcast(Iterable<Client> clients, Frame frame) {
        broadcasts.add(frame);
        for (Client client : clients) {
            stage(client, frame);
        }
    }

    /** What to do about a client whose send threw: the others still get theirs. */
    interface SendFailure {
        void failed(Client client, Throwable failure);
    }

    /**
     * The send: hands every client its frames, joined, and its replies in their places; then
     * starts a new turn. A client whose send throws is reported to {@code onFailure} and the
     * others still get theirs.
     */
    void endTurn(SendFailure onFailure) {
        try {
            List<Frame> frames = new ArrayList<>();
            for (Map.Entry<Client, List<Outgoing>> entry : staged.entrySet()) {
                Client client = entry.getKey();
                try {
                    for (Outgoing item : entry.getValue()) {
                        if (item instanceof Reply reply) {
                            handOver(client, frames);
                            client.send(reply);
                        } else if (item instanceof Frame frame) {
                            frames.add(frame);
                        } else {
                            throw new IllegalStateException("no case for " + item.getClass().getName());
                        }
                    }
                    handOver(client, frames);
                } catch (Throwable failure) {
                    frames.clear();
                    onFailure.failed(client, failure);
                }
            }
        } finally {
            staged.clear();
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
                joinedBroadcasts = Frame.joined(broadcasts);
            }
            return joinedBroadcasts;
        }
        return Frame.joined(frames);
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
}
