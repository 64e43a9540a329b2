package staffsync.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast row encoder of large snapshots writes exactly what gson's writer writes. */
class RowBytesTest {
    /** Characters that take every path: plain, escaped, two- and three-byte, U+2028, emoji, lone surrogate. */
    private static final String[] PIECES = {"a", "Z", " ", "\"", "\\", "/", "\t", "\n", "\u0001", "\u001f", "\u007f",
        "é", "Ä", "ß", "€", "\u2028", "\u2029", "中", "🙂", "\ud800", "\udc00", "<", "&", "=", "'"};

    @Test
    void everyKindOfCharacterIsEncodedAsGsonDoes() {
        Random random = new Random(42);
        for (int n = 0; n < 2_000; n++) {
            StaffRow row = new StaffRow(text(random), text(random), text(random), text(random), text(random),
                    random.nextInt(Integer.MAX_VALUE), random.nextInt(1_000_000), text(random), text(random));
            RowBytes bytes = new RowBytes(16);
            bytes.row(row);
            byte[] expected = ServerMessages.rowJson(row).getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(expected, bytes.toArray(), row.toString());
            assertEquals(expected.length, RowBytes.length(row), "the length announced beforehand");
        }
    }

    @Test
    void rowsWrittenIntoAnArraySizedByTheirLengthAreHandedOutWithoutACopy() {
        // A snapshot's chunks are encoded this way: growing the array on the way (and trimming it
        // after) would allocate four times the chunk, which a sync storm feels as garbage.
        Random random = new Random(7);
        for (int n = 0; n < 200; n++) {
            StaffRow first = new StaffRow(text(random), "x".repeat(200), text(random), text(random), text(random), 1, 1,
                    text(random), text(random));
            StaffRow second = new StaffRow(text(random), text(random), text(random), "y".repeat(200), text(random), 2, 3,
                    text(random), text(random));
            RowBytes bytes = new RowBytes(RowBytes.length(first) + 1 + RowBytes.length(second));
            bytes.row(first);
            bytes.comma();
            bytes.row(second);
            assertSame(bytes.toArray(), bytes.toArray(), "the array itself, not a trimmed copy of a grown one");
        }
    }

    private static String text(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(12);
        for (int i = 0; i < length; i++) {
            text.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return text.toString();
    }
}
