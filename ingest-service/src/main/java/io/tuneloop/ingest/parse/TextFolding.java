package io.tuneloop.ingest.parse;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The comparison form of text for deduplication: Unicode NFKC (so full-width and compatibility
 * characters compare equal to their plain forms), then lower case. Most instruction data is ASCII,
 * for which NFKC is the identity, so that case skips the normaliser (it is the costliest step).
 */
public final class TextFolding {
    private TextFolding() {
    }

    public static String fold(String text) {
        String normalised = isAscii(text) ? text : Normalizer.normalize(text, Normalizer.Form.NFKC);
        return normalised.toLowerCase(Locale.ROOT);
    }

    /** Folded, with runs of ASCII whitespace collapsed to one space and the ends trimmed. */
    public static String foldCollapsingWhitespace(String text) {
        String folded = fold(text);
        StringBuilder out = new StringBuilder(folded.length());
        boolean pendingSpace = false;
        for (int i = 0; i < folded.length(); i++) {
            char c = folded.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B') {
                pendingSpace = out.length() > 0;
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
