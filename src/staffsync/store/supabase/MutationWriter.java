package staffsync.store.supabase;

import java.io.IOException;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import staffsync.protocol.ChangeEvent.Kind;
import staffsync.protocol.ClientRequest.CreateStaff;
import staffsync.protocol.ClientRequest.DeleteStaff;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.ClientRequest.UpdateStaff;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;
import staffsync.store.MutationResult;

/**
 * Turns one client mutation into compare-and-set requests and one outcome.
 *
 * <p>The database decides: an update or delete is sent with {@code version=eq.N} and the
 * row's {@code created_at} (a row deleted and created again starts at version 1 again), and
 * PostgREST answers {@code []} when that version is no longer stored; the row is then read to tell
 * NOT_FOUND from VERSION_CONFLICT. A mutation without a version repeats the read-and-swap a few
 * times (last writer wins, without ever overwriting a change it has not seen).
 *
 * <p>A write that never left (connection refused) is plainly not applied. When a write gets no
 * clear answer (timeout, dropped connection, a gateway 502/504) the row is
 * read back and the write is recognised by its result: an update made version N+1 with the
 * values sent; a create made version 1 with the fields sent; a delete left no row. Residual
 * ambiguity, accepted and documented in docs/supabase.md: another writer changing the same row
 * in the moment between our lost answer and the read-back makes our applied write look not
 * applied; that change still reaches every client (it is reported as a server event), so the
 * state converges and nothing is lost, only the originator's answer is the conservative one.
 *
 * <p>Every write goes through the {@link RowLedger}: announced before it is sent, reported once it
 * landed, withdrawn when it matched nothing. A write never lands on top of a version that has not
 * been reported: when the compare-and-set misses, or the client names a version newer than the
 * one reported, the row is read and reported first (docs/cluster.md explains why this matters
 * with several instances; with one it keeps outside changes ahead of ours in the numbering).
 *
 * <p>Runs on the store workers; several at once for different rows, one at a time per row (the
 * hub's lanes). No state of its own: the shared state is in the ledger.
 */
final class MutationWriter {
    /** Attempts for an update or delete without a version before giving up on a busy row. */
    static final int UNCONDITIONAL_ATTEMPTS = 5;
    private static final Logger LOG = Logger.getLogger(MutationWriter.class.getName());

    private final SupabaseTable table;
    private final RowLedger ledger;

    MutationWriter(SupabaseTable table, RowLedger ledger) {
        this.table = table;
        this.ledger = ledger;
    }

    MutationResult apply(Mutation mutation, Origin origin) {
        String id = mutation.staffId();
        MutationResult early;
        try {
            early = ledger.beginWrite(mutation, origin); // from here the poller leaves this row to us
        } catch (LedgerException e) {
            return MutationResult.unavailable(id, e.getMessage());
        }
        if (early != null) {
            return early;
        }
        MutationResult outcome;
        try {
            outcome = write(mutation, origin);
        } catch (RuntimeException e) {
            ledger.endWrite(id, new MutationResult.Rejected(ErrorCode.INTERNAL, "the write failed", id, null));
            throw e;
        }
        return ledger.endWrite(id, outcome);
    }

    private MutationResult write(Mutation mutation, Origin origin) {
        String id = mutation.staffId();
        try {
            if (mutation instanceof CreateStaff create) {
                return create(create, origin);
            }
            if (mutation instanceof UpdateStaff update) {
                return update(update, origin);
            }
            return delete((DeleteStaff) mutation, origin);
        } catch (LedgerException e) {
            // Only steps before our own write landed can fail this way: nothing of ours was applied.
            return MutationResult.unavailable(id, e.getMessage());
        } catch (PostgrestException e) {
            if (ErrorMapping.isKeyOrGrantProblem(e)) {
                LOG.severe("Supabase refused the request: check SUPABASE_SERVICE_KEY and the table's grants to"
                        + " service_role (db/schema.sql): " + e.getMessage());
            } else {
                LOG.warning("Supabase refused a change to '" + id + "': " + e.getMessage());
            }
            return ErrorMapping.toRejection(e, id);
        } catch (IOException e) {
            // Only reads reach here (writes are reconciled below), so nothing was written.
            return MutationResult.unavailable(id, "Supabase did not answer (" + e.getMessage() + ")");
        }
    }

    private MutationResult create(CreateStaff create, Origin origin)
            throws PostgrestException, IOException, LedgerException {
        String id = create.staffId();
        StaffRow stored;
        try {
            stored = table.insert(id, create.fields());
        } catch (PostgrestException e) {
            if (e.isCode("23505")) {
                MutationResult missed = ledger.writeMissed(id);
                if (missed != null) {
                    return missed;
                }
                StaffRow current = table.read(id);
                if (current != null) {
                    ledger.observe(current);
                }
                return alreadyExists(id, current);
            }
            if (!ErrorMapping.mayHaveApplied(e)) {
                throw e;
            }
            return reconcileCreate(create, origin, e);
        } catch (RequestNotSentException e) {
            return MutationResult.unavailable(id, "Supabase could not be reached (" + e.getMessage() + ")");
        } catch (IOException e) {
            return reconcileCreate(create, origin, e);
        }
        return applied(Kind.CREATE, stored, List.of(), origin);
    }

    private MutationResult update(UpdateStaff update, Origin origin)
            throws PostgrestException, IOException, LedgerException {
        String id = update.staffId();
        return compareAndSet(id, update.expectedVersion(), Kind.UPDATE, update.changes().present(), origin,
                (incarnation, version) -> table.update(id, incarnation, version, update.changes()),
                (incarnation, version, cause) -> reconcileUpdate(update, incarnation, version, origin, cause));
    }

    private MutationResult delete(DeleteStaff delete, Origin origin)
            throws PostgrestException, IOException, LedgerException {
        String id = delete.staffId();
        return compareAndSet(id, delete.expectedVersion(), Kind.DELETE, List.of(), origin,
                (incarnation, version) -> table.delete(id, incarnation, version),
                (incarnation, version, cause) -> reconcileDelete(id, version, delete.expectedVersion(), origin, cause));
    }

    /**
     * One conditional write on the incarnation ({@code created_at}) and version of the row read:
     * the row it stored, or null when no row matched.
     */
    private interface ConditionalWrite {
        StaffRow at(String incarnation, long version) throws PostgrestException, IOException;
    }

    /** Decides, by reading the row back, what became of a write at {@code version} whose answer was lost. */
    private interface ReadBack {
        MutationResult after(String incarnation, long version, Exception cause) throws LedgerException;
    }

    /**
     * The compare-and-set shared by update and delete. With the client's version: one try, and an
     * empty answer is NOT_FOUND or VERSION_CONFLICT (a read tells which). Without: retry at the
     * version just read, a bounded number of times, so an outside writer is never overwritten blindly.
     */
    private MutationResult compareAndSet(String id, Long expected, Kind kind, List<String> fields, Origin origin,
                                         ConditionalWrite write, ReadBack readBack)
            throws PostgrestException, IOException, LedgerException {
        StaffRow base = knownOrRead(id);
        if (base == null) {
            return notFound(id);
        }
        if (expected != null && expected > base.version()) {
            // The client names a version we have not reported: the table may hold a change nobody
            // has been told of. Report what the table holds first, and write only if that is the
            // version named: never at a version that has not been reported, or a change made
            // meanwhile could be overwritten before anyone hears of it.
            base = readAndObserve(id);
            if (base == null) {
                return notFound(id);
            }
            if (base.version() != expected) {
                return conflict(expected, base);
            }
        }
        long version = expected != null ? expected : base.version();
        int attempts = expected != null ? 1 : UNCONDITIONAL_ATTEMPTS;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            MutationResult settled = ledger.writeAt(base, version);
            if (settled != null) {
                return settled;
            }
            StaffRow written;
            try {
                written = write.at(base.createdAt(), version);
            } catch (PostgrestException e) {
                if (!ErrorMapping.mayHaveApplied(e)) {
                    throw e;
                }
                return readBack.after(base.createdAt(), version, e);
            } catch (RequestNotSentException e) {
                return MutationResult.unavailable(id, "Supabase could not be reached (" + e.getMessage() + ")");
            } catch (IOException e) {
                return readBack.after(base.createdAt(), version, e);
            }
            if (written != null) {
                return applied(kind, written, fields, origin);
            }
            MutationResult missed = ledger.writeMissed(id);
            if (missed != null) {
                return missed;
            }
            StaffRow current = readAndObserve(id);
            if (current == null) {
                return notFound(id);
            }
            if (expected != null) {
                return current.createdAt().equals(base.createdAt()) ? conflict(expected, current)
                        : new MutationResult.Rejected(ErrorCode.VERSION_CONFLICT, "version " + expected + " is stale: the"
                                + " staff member with this id was deleted and created again (now at version "
                                + current.version() + ")", id, current);
            }
            base = current;
            version = current.version();
        }
        return busy(id, attempts);
    }

    // ---- lost answers: read back and decide ----

    private MutationResult reconcileCreate(CreateStaff create, Origin origin, Exception cause) throws LedgerException {
        String id = create.staffId();
        StaffRow knownBefore = ledger.get(id);
        StaffRow current;
        try {
            current = table.read(id);
        } catch (PostgrestException | IOException e) {
            return outcomeUnknown(id, cause, e);
        }
        StaffRow sent = create.fields().toNewRow(id, null);
        if (current == null) {
            return notApplied(id, cause, "the row is not in the table");
        }
        if (knownBefore == null && current.version() == 1 && RowJson.sameContent(current, sent)) {
            logReconciled(id, cause, "applied");
            return applied(Kind.CREATE, current, List.of(), origin);
        }
        // Another writer's row (or ours, already changed by someone else: it is reported either way).
        MutationResult missed = ledger.writeMissed(id);
        if (missed != null) {
            return missed;
        }
        ledger.observe(current);
        return alreadyExists(id, current);
    }

    private MutationResult reconcileUpdate(UpdateStaff update, String incarnation, long version, Origin origin,
                                           Exception cause)
            throws LedgerException {
        String id = update.staffId();
        StaffRow current;
        try {
            current = table.read(id);
        } catch (PostgrestException | IOException e) {
            return outcomeUnknown(id, cause, e);
        }
        if (current == null) {
            MutationResult missed = ledger.writeMissed(id);
            if (missed != null) {
                return missed;
            }
            ledger.observeGone(id);
            return notApplied(id, cause, "the row has been deleted");
        }
        if (current.version() == version + 1 && RowJson.hasValues(current, update.changes())
                && (incarnation == null || incarnation.equals(current.createdAt()))) {
            logReconciled(id, cause, "applied");
            return applied(Kind.UPDATE, current, update.changes().present(), origin);
        }
        MutationResult missed = ledger.writeMissed(id);
        if (missed != null) {
            return missed;
        }
        ledger.observe(current);
        if (current.version() != version && update.expectedVersion() != null) {
            return conflict(update.expectedVersion(), current);
        }
        return notApplied(id, cause, "the row is at version " + current.version());
    }

    private MutationResult reconcileDelete(String id, long version, Long expected, Origin origin, Exception cause)
            throws LedgerException {
        StaffRow knownBefore = ledger.get(id);
        StaffRow current;
        try {
            current = table.read(id);
        } catch (PostgrestException | IOException e) {
            return outcomeUnknown(id, cause, e);
        }
        if (current == null) {
            if (knownBefore == null) {
                return notFound(id);
            }
            logReconciled(id, cause, "applied");
            return applied(Kind.DELETE, knownBefore, List.of(), origin);
        }
        MutationResult missed = ledger.writeMissed(id);
        if (missed != null) {
            return missed;
        }
        ledger.observe(current);
        if (current.version() != version && expected != null) {
            return conflict(expected, current);
        }
        return notApplied(id, cause, "the row is still there");
    }

    // ---- helpers ----

    private StaffRow knownOrRead(String id) throws PostgrestException, IOException, LedgerException {
        StaffRow known = ledger.get(id);
        return known != null ? known : readAndObserve(id);
    }

    /** The stored row, reported first if it is news to the clients; null (and reported gone) if absent. */
    private StaffRow readAndObserve(String id) throws PostgrestException, IOException, LedgerException {
        StaffRow current = table.read(id);
        if (current == null) {
            ledger.observeGone(id);
        } else {
            ledger.observe(current);
        }
        return current;
    }

    private MutationResult applied(Kind kind, StaffRow row, List<String> fields, Origin origin) {
        return ledger.reportOwn(kind, row, fields, origin);
    }

    private static MutationResult notFound(String id) {
        return new MutationResult.Rejected(ErrorCode.NOT_FOUND, "no staff member with id '" + id + "'", id, null);
    }

    private static MutationResult alreadyExists(String id, StaffRow current) {
        return new MutationResult.Rejected(ErrorCode.ALREADY_EXISTS,
                "a staff member with id '" + id + "' already exists", id, current);
    }

    private static MutationResult conflict(long expected, StaffRow current) {
        return new MutationResult.Rejected(ErrorCode.VERSION_CONFLICT,
                "version " + expected + " is stale: the stored version is " + current.version(), current.id(), current);
    }

    private static MutationResult busy(String id, int attempts) {
        return MutationResult.unavailable(id, "the row changed " + attempts + " times while the change was being"
                + " written; try again");
    }

    private static MutationResult notApplied(String id, Exception cause, String finding) {
        logReconciled(id, cause, "not applied (" + finding + ")");
        return MutationResult.unavailable(id, "Supabase did not confirm the write and " + finding);
    }

    /**
     * Neither the write nor the read-back got an answer: the write may or may not be stored. Not
     * STORE_UNAVAILABLE, which promises "not applied"; if it was stored, the poller reports it.
     */
    private MutationResult outcomeUnknown(String id, Exception cause, Exception readFailure) {
        ledger.outcomeUnknown(id);
        LOG.log(Level.WARNING, "the write to ''{0}'' got no answer ({1}) and reading it back failed too ({2});"
                + " the poller will report it if it was stored", new Object[] {id, cause.getMessage(), readFailure.getMessage()});
        return new MutationResult.Rejected(ErrorCode.INTERNAL, "Supabase stopped answering during the write; its outcome"
                + " is unknown, and if it was stored it will reach every client as an event", id, null);
    }

    private static void logReconciled(String id, Exception cause, String outcome) {
        LOG.log(Level.WARNING, "the write to ''{0}'' got no answer ({1}); read back: {2}",
                new Object[] {id, cause.getMessage(), outcome});
    }
}
