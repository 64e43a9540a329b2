package staffsync.auth;

/**
 * The operator's switch that turns every write off (PROTOCOL.md "Read-only switch"): set by
 * {@code READ_ONLY} at start and by {@code PUT /admin/read-only} at run time, read by the
 * WebSocket workers for every STAFF_* message and by /health. One volatile field: a flip is
 * seen by every message processed after the PUT has answered.
 */
public final class ReadOnlySwitch {
    private volatile boolean on;

    public ReadOnlySwitch(boolean on) {
        this.on = on;
    }

    public boolean isOn() {
        return on;
    }

    public void set(boolean on) {
        this.on = on;
    }
}
