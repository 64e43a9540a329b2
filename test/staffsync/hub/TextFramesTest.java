package staffsync.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.enums.Role;
import org.java_websocket.framing.Framedata;
import org.java_websocket.framing.TextFrame;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import staffsync.ws.TextFrames;

/** Our pre-encoded frames decode, in the library's own frame parser, to the text we encoded. */
class TextFramesTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 200_000})
    void aFrameOfAnyLengthClassDecodesToTheSameText(int length) throws Exception {
        String text = "x".repeat(length);
        Frame frame = new TextFrames().encode(text);
        Draft_6455 clientSide = new Draft_6455(List.of(), Integer.MAX_VALUE);
        clientSide.setParseMode(Role.CLIENT);
        List<Framedata> frames = clientSide.translateFrame(ByteBuffer.wrap(frame.wire()));
        assertEquals(1, frames.size());
        assertEquals(TextFrame.class, frames.get(0).getClass());
        assertEquals(length, frames.get(0).getPayloadData().remaining());
        assertEquals(text, new String(frames.get(0).getPayloadData().array(), 0, length,
                java.nio.charset.StandardCharsets.UTF_8));
    }
}
