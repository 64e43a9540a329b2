package staffsync.auth;

import java.util.Locale;

/** What a connection may do: a reader syncs and receives every event, an editor also writes. */
public enum Role {
    READER,
    EDITOR;

    /** The name in {@code AUTH_OK}: {@code "reader"} or {@code "editor"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
