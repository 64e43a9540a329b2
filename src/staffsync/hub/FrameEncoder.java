package staffsync.hub;

/** Turns a JSON message into wire bytes; the WebSocket edge supplies the implementation. */
@FunctionalInterface
public interface FrameEncoder {
    Frame encode(String json);
}
