package staffsync.hub;

import java.util.ArrayList;
import java.util.List;

/**
 * Snapshots of the same rows that started at about the same moment, paced to travel together so
 * that each chunk of rows is encoded once and shared by all of them while it is in the
 * {@link EncodedRows} cache. Left alone, replies read at slightly different speeds, drift apart
 * by more than the cache holds, and each ends up encoding the rows again for itself.
 *
 * <p>A member may be at most {@value #LEAD_ROWS} rows ahead of the slowest member; beyond that it
 * waits (its connection looks again a millisecond later) until the slowest is within three
 * quarters of that. Two rules keep the waiting short. A member that keeps the others waiting
 * for {@value #PATIENCE_MS} ms at a stretch (it reads much more slowly, stopped reading, or left)
 * is let go: it goes on alone at its own pace. And a member that has spent more than half its
 * time in the convoy waiting (and over {@value #PATIENCE_MS} ms) leaves it and goes on at its
 * own pace: no client is slowed down by more than about half by the others.
 *
 * <p>Thread-safety: members are written by the writer threads of their connections; every
 * method holds this object's monitor. The hub thread makes convoys and adds members.
 */
final class Convoy {
    static final int LEAD_ROWS = 4_096;
    static final long PATIENCE_MS = 1_000;
    /** A convoy takes new members only while its front is this close to the start. */
    private static final int JOIN_ROWS = LEAD_ROWS / 2;

    /** One reply's place in the convoy. Its fields are guarded by the convoy's monitor. */
    final class Member {
        private long rows;
        private boolean inConvoy = true;
        /** When it began waiting for the slowest (0: it is not waiting). */
        private long waitingSince;
        /** How long it has waited before, in all. */
        private long waitedNanos;
        private final long joinedAt;

        private Member(long joinedAt) {
            this.joinedAt = joinedAt;
        }

        /** True when this reply may write more rows now; false: it should look again shortly. */
        boolean mayGoOn(long nowNanos) {
            return Convoy.this.mayGoOn(this, nowNanos);
        }

        /** This reply has written this many rows in all. */
        void wrote(long rowsInAll) {
            Convoy.this.wrote(this, rowsInAll);
        }

        /** This reply has written all its rows: nobody waits for it any more. */
        void leave() {
            Convoy.this.leave(this);
        }
    }

    private final List<Member> members = new ArrayList<>();

    /** A new member at the start, or null when the convoy has gone too far for one to catch up. */
    synchronized Member join(long nowNanos) {
        for (Member member : members) {
            if (member.rows > JOIN_ROWS) {
                return null;
            }
        }
        Member member = new Member(nowNanos);
        members.add(member);
        return member;
    }

    private synchronized boolean mayGoOn(Member member, long nowNanos) {
        if (!member.inConvoy) {
            return true;
        }
        Member slowest = member;
        for (Member other : members) {
            if (other.rows < slowest.rows) {
                slowest = other;
            }
        }
        long ahead = member.rows - slowest.rows;
        long patience = PATIENCE_MS * 1_000_000;
        if (member.waitingSince == 0) {
            if (ahead <= LEAD_ROWS) {
                return true;
            }
            if (waitedEnough(member, member.waitedNanos, nowNanos)) {
                return true;
            }
            member.waitingSince = nowNanos;
            return false;
        }
        long stretch = nowNanos - member.waitingSince;
        long waited = member.waitedNanos + stretch;
        if (ahead <= LEAD_ROWS * 3 / 4) {
            member.waitedNanos = waited;
            member.waitingSince = 0;
            return true;
        }
        if (stretch > patience) {
            leave(slowest); // much slower than the rest, stopped, or gone: nobody waits for it any more
            member.waitedNanos = waited;
            member.waitingSince = 0;
            return mayGoOn(member, nowNanos);
        }
        return waitedEnough(member, waited, nowNanos);
    }

    /** Over the patience and over half its time in the convoy spent waiting: it leaves and goes on alone. */
    private boolean waitedEnough(Member member, long waited, long nowNanos) {
        if (waited <= Math.max(PATIENCE_MS * 1_000_000, (nowNanos - member.joinedAt) / 2)) {
            return false;
        }
        member.waitedNanos = waited;
        member.waitingSince = 0;
        leave(member);
        return true;
    }

    private synchronized void wrote(Member member, long rows) {
        member.rows = rows;
    }

    private synchronized void leave(Member member) {
        member.inConvoy = false;
        members.remove(member);
    }
}
