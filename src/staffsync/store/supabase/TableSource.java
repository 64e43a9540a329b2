package staffsync.store.supabase;

import java.io.IOException;
import java.util.List;
import staffsync.protocol.StaffRow;

/** Reads of the staff table for a {@link RowLedger} that needs them (a shared ledger loading a new epoch). */
public interface TableSource {

    /** Every row; a failure names the problem, never the key. */
    List<StaffRow> readAll() throws IOException;

    /** The row as stored now, or null when there is none. */
    StaffRow read(String id) throws IOException;
}
