package staffsync.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Rows' JSON written straight into a growing byte array as UTF-8: the very bytes of
 * {@link ServerMessages#rowJson} (same keys, same order, same escapes as gson's writer), without
 * the writer, the intermediate strings and their garbage. Large snapshots encode every row, so
 * this is the hot path there; a test holds the two encodings equal.
 *
 * <p>Not thread-safe: one per encoding.
 */
public final class RowBytes {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes;
    private int size;

    public RowBytes(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    public int size() {
        return size;
    }

    /** The bytes written; the array itself when it was sized exactly (see {@link #length}). */
    public byte[] toArray() {
        return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }

    /** How many bytes {@link #row} writes for this row: to size the array once. */
    public static int length(StaffRow row) {
        return 98 /* keys, colons, commas, braces */ + length(row.id()) + length(row.name()) + length(row.position()) + length(row.department())
                + length(row.type()) + Long.toString(row.period()).length() + Long.toString(row.version()).length()
                + length(row.createdAt()) + length(row.updatedAt());
    }

    /** The bytes of {@link #string}'s output, quotes included. */
    private static int length(String text) {
        int bytes = 2;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += c >= 0x20 && c != '"' && c != '\\' ? 1 : escapedLength(c);
            } else if (c < 0x800) {
                bytes += 2;
            } else if (c == '\u2028' || c == '\u2029') {
                bytes += 6;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        return bytes;
    }

    private static int escapedLength(char c) {
        return c == '"' || c == '\\' || c == '\t' || c == '\b' || c == '\n' || c == '\r' || c == '\f' ? 2 : 6;
    }

    public void comma() {
        ensure(1);
        bytes[size++] = ',';
    }

    /** Appends {@code row} as a JSON object, as {@link ServerMessages#row} writes it. */
    public void row(StaffRow row) {
        ascii("{\"id\":");
        string(row.id());
        ascii(",\"name\":");
        string(row.name());
        ascii(",\"position\":");
        string(row.position());
        ascii(",\"department\":");
        string(row.department());
        ascii(",\"type\":");
        string(row.type());
        ascii(",\"period\":");
        ascii(Long.toString(row.period()));
        ascii(",\"version\":");
        ascii(Long.toString(row.version()));
        ascii(",\"created_at\":");
        string(row.createdAt());
        ascii(",\"updated_at\":");
        string(row.updatedAt());
        ascii("}");
    }

    private void ascii(String text) {
        int length = text.length();
        ensure(length);
        for (int i = 0; i < length; i++) {
            bytes[size++] = (byte) text.charAt(i);
        }
    }

    /** A JSON string with gson's escapes: control characters, quote, backslash, U+2028, U+2029. */
    private void string(String text) {
        int length = text.length();
        // Room for the worst case (every char escaped in six bytes) when there is room for it; else
        // exactly what this string needs, so an array sized by length(StaffRow) is never grown
        // (a growth doubles it, and toArray then copies it again to trim it).
        int worst = 2 + 6 * length;
        ensure(size + worst <= bytes.length ? worst : length(text));
        bytes[size++] = '"';
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                if (c < 0x20 || c == '"' || c == '\\') {
                    escape(c);
                } else {
                    bytes[size++] = (byte) c;
                }
            } else if (c < 0x800) {
                bytes[size++] = (byte) (0xc0 | c >> 6);
                bytes[size++] = (byte) (0x80 | c & 0x3f);
            } else if (c == '\u2028' || c == '\u2029') {
                unicodeEscape(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                int codePoint = Character.toCodePoint(c, text.charAt(++i));
                bytes[size++] = (byte) (0xf0 | codePoint >> 18);
                bytes[size++] = (byte) (0x80 | codePoint >> 12 & 0x3f);
                bytes[size++] = (byte) (0x80 | codePoint >> 6 & 0x3f);
                bytes[size++] = (byte) (0x80 | codePoint & 0x3f);
            } else if (Character.isSurrogate(c)) {
                bytes[size++] = '?'; // a lone surrogate: what String.getBytes(UTF_8) makes of it
            } else {
                bytes[size++] = (byte) (0xe0 | c >> 12);
                bytes[size++] = (byte) (0x80 | c >> 6 & 0x3f);
                bytes[size++] = (byte) (0x80 | c & 0x3f);
            }
        }
        bytes[size++] = '"';
    }

    private void escape(char c) {
        char shortForm = switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '\t' -> 't';
            case '\b' -> 'b';
            case '\n' -> 'n';
            case '\r' -> 'r';
            case '\f' -> 'f';
            default -> 0;
        };
        if (shortForm != 0) {
            bytes[size++] = '\\';
            bytes[size++] = (byte) shortForm;
        } else {
            unicodeEscape(c);
        }
    }

    private void unicodeEscape(char c) {
        bytes[size++] = '\\';
        bytes[size++] = 'u';
        bytes[size++] = HEX[c >> 12 & 0xf];
        bytes[size++] = HEX[c >> 8 & 0xf];
        bytes[size++] = HEX[c >> 4 & 0xf];
        bytes[size++] = HEX[c & 0xf];
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(size + more, bytes.length * 2));
        }
    }
}
