package staffsync;

import java.util.logging.LogManager;

/**
 * The JDK's LogManager resets itself in its own shutdown hook, which runs at the same time as
 * ours, so the lines that say how a shutdown went would be lost. This manager ignores that
 * reset; Main flushes the log itself when it has stopped. Installed through the system property
 * {@code java.util.logging.manager} before anything logs.
 */
public final class KeepLoggingManager extends LogManager {

    @Override
    public void reset() {
        // Ignored: see the class comment. Startup uses resetForSetup().
    }

    void resetForSetup() {
        super.reset();
    }
}
