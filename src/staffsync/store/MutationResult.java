package staffsync.store;

import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.StaffRow;

/** The outcome of {@link StaffStore#apply}: stored, or refused with a protocol error. */
public sealed interface MutationResult {

    record Applied(ChangeEvent event) implements MutationResult {}

    /**
     * A resent mutation that was committed earlier, as the store knows (with several instances,
     * the original may have gone through another one): its original event, to be sent to the
     * requester again. The store hands this over only once the event has reached the listener.
     */
    record Repeated(ChangeEvent original) implements MutationResult {}

    /** @param current the stored row, for VERSION_CONFLICT (and ALREADY_EXISTS); else null */
    record Rejected(ErrorCode code, String message, String staffId, StaffRow current) implements MutationResult {}

    static Rejected unavailable(String staffId, String why) {
        return new Rejected(ErrorCode.STORE_UNAVAILABLE, "the change was not applied: " + why, staffId, null);
    }
}
