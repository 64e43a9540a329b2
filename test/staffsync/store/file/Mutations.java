package staffsync.store.file;

import java.util.List;
import staffsync.protocol.ClientRequest.CreateStaff;
import staffsync.protocol.ClientRequest.DeleteStaff;
import staffsync.protocol.ClientRequest.UpdateStaff;
import staffsync.protocol.StaffFields;

/** Parsed mutations as the hub hands them to a store, without going through JSON. */
final class Mutations {
    private Mutations() {}

    static CreateStaff create(String id, String name) {
        return new CreateStaff(id, new StaffFields(name, "nurse", "ward 3", null, 2L,
                List.of("name", "position", "department", "period")));
    }

    static UpdateStaff rename(String id, String name, Long expectedVersion) {
        return new UpdateStaff(id, new StaffFields(name, null, null, null, null, List.of("name")), expectedVersion);
    }

    static DeleteStaff delete(String id, Long expectedVersion) {
        return new DeleteStaff(id, expectedVersion);
    }
}
