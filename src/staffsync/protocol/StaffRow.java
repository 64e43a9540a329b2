package staffsync.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of the staff table. Field names follow the database columns; the JSON keys are
 * the column names ({@code created_at}, {@code updated_at}).
 *
 * @param version   server-managed: 1 on create, +1 on every update
 * @param createdAt ISO-8601 UTC, server-managed
 * @param updatedAt ISO-8601 UTC, server-managed
 */
public record StaffRow(
        String id,
        String name,
        String position,
        String department,
        String type,
        long period,
        long version,
        String createdAt,
        String updatedAt) {

    public static final String DEFAULT_TYPE = "regular";

    /** This row with the given fields changed and its version and timestamp moved on. */
    public StaffRow withChanges(StaffFields changes, String now) {
        return new StaffRow(
                id,
                changes.name() != null ? changes.name() : name,
                changes.position() != null ? changes.position() : position,
                changes.department() != null ? changes.department() : department,
                changes.type() != null ? changes.type() : type,
                changes.period() != null ? changes.period() : period,
                version + 1,
                createdAt,
                now);
    }

    /** The client fields (wire names, column order) whose values differ between {@code before} and this row. */
    public List<String> fieldsDifferingFrom(StaffRow before) {
        List<String> fields = new ArrayList<>();
        if (!before.name().equals(name)) {
            fields.add("name");
        }
        if (!before.position().equals(position)) {
            fields.add("position");
        }
        if (!before.department().equals(department)) {
            fields.add("department");
        }
        if (!before.type().equals(type)) {
            fields.add("type");
        }
        if (before.period() != period) {
            fields.add("period");
        }
        return fields;
    }
}
