package staffsync.ws;

import java.net.BindException;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Keeps Java-WebSocket's own SEVERE records, with their stack traces, out of the log where the
 * server says the same thing better itself: a port that cannot be bound (Main prints one line
 * naming the variable to change). Every other record of the library passes. Stateless.
 */
public final class LibraryLogFilter implements Filter {
    private static final String LIBRARY = "org.java_websocket";

    @Override
    public boolean isLoggable(LogRecord record) {
        String logger = record.getLoggerName();
        if (logger == null || !logger.startsWith(LIBRARY)) {
            return true;
        }
        return !(record.getThrown() instanceof BindException);
    }
}
