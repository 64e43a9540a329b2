package staffsync.protocol;

import java.util.List;

/**
 * The client-settable fields of a staff row, each null when the client did not send it.
 * A create fills the missing ones with defaults; an update changes only the present ones.
 *
 * @param present the wire names of the fields the client sent, in a fixed column order
 */
public record StaffFields(
        String name,
        String position,
        String department,
        String type,
        Long period,
        List<String> present) {

    public StaffFields {
        present = List.copyOf(present);
    }

    /** A new row at version 1 from these fields; absent ones take PROTOCOL.md's defaults. */
    public StaffRow toNewRow(String id, String now) {
        return new StaffRow(
                id,
                name,
                position != null ? position : "",
                department != null ? department : "",
                type != null ? type : StaffRow.DEFAULT_TYPE,
                period != null ? period : 0L,
                1L,
                now,
                now);
    }
}
