package staffsync.ws.library;

import java.net.BindException;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.java_websocket.exceptions.InvalidDataException;

/**
 * Keeps Java-WebSocket's own records out of the log where the server says the same thing better
 * itself, and every other record of the library passes:
 * <ul>
 *   <li>a client's frame breaking the protocol: the library logs SEVERE with a stack trace
 *       ("Closing due to invalid data in frame", an {@link InvalidDataException}) or a bare
 *       SEVERE line ("Protocol error: ...") every time; the app (staffsync.ws.ProtocolErrorLog) logs it at INFO,
 *       once per connection and kind, rate limited;</li>
 *   <li>a port that cannot be bound (a {@link BindException}): Main prints one line naming the
 *       variable to change.</li>
 * </ul>
 * Stateless.
 */
public final class LibraryLogFilter implements Filter {
    private static final String LIBRARY = "org.java_websocket";

    @Override
    public boolean isLoggable(LogRecord record) {
        String logger = record.getLoggerName();
        if (logger == null || !logger.startsWith(LIBRARY)) {
            return true;
        }
        Throwable thrown = record.getThrown();
        if (thrown instanceof InvalidDataException || thrown instanceof BindException) {
            return false;
        }
        String message = record.getMessage();
        return message == null || !isClientFrameError(message);
    }

    /** The library's Draft_6455 logs these, without an exception, just before refusing the frame. */
    private static boolean isClientFrameError(String message) {
        return message.startsWith("Protocol error:") || message.equals("non control or continious frame expected");
    }
}
