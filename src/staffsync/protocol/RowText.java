package staffsync.protocol;

/**
 * What a row's text may hold (PROTOCOL.md "Staff row"): no control characters, since Postgres
 * refuses NUL in {@code text} and the others corrupt logs, CSV exports and terminals; and a
 * {@code name} someone can see. Stateless.
 */
final class RowText {
    static final String CONTROL_CHARACTER_RULE =
            "must not contain control characters (U+0000-U+001F, U+007F)";

    private RowText() {}

    static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when at least one character would show as a mark on screen. Not visible: white space
     * and the other separators, format characters (zero-width space and joiners, the BOM, bidi
     * marks), combining marks with nothing to sit on, unassigned code points, and the letters
     * that are drawn as blanks (Hangul fillers, the Braille blank).
     */
    static boolean hasVisibleCharacter(String text) {
        return text.codePoints().anyMatch(RowText::isVisible);
    }

    private static boolean isVisible(int codePoint) {
        if (Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint) || isBlankLetter(codePoint)) {
            return false;
        }
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.SURROGATE,
                 Character.NON_SPACING_MARK, Character.ENCLOSING_MARK,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    private static boolean isBlankLetter(int codePoint) {
        return codePoint == 0x115F || codePoint == 0x1160 // Hangul choseong / jungseong fillers
                || codePoint == 0x3164 || codePoint == 0xFFA0 // Hangul filler, halfwidth filler
                || codePoint == 0x2800;                      // Braille pattern blank
    }
}
