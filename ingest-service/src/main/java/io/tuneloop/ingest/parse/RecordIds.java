package io.tuneloop.ingest.parse;

import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.store.Sha256;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

/**
 * The id of a record is the hash of its normalised content (Unicode NFKC, case-folded, whitespace
 * collapsed), so exact duplicates that differ only in spacing or case get the same id and are
 * dropped by id wherever they meet.
 */
public final class RecordIds {
    private RecordIds() {
    }

    public static String of(ParsedRecord record) {
        StringBuilder content = new StringBuilder();
        if (record.messages() != null) {
            for (ChatMessage m : record.messages()) {
                content.append(m.role()).append('\u0001').append(normalise(m.content())).append('\u0002');
            }
        } else {
            content.append(normalise(record.instruction())).append('\u0001')
                    .append(normalise(record.input())).append('\u0001')
                    .append(normalise(record.output()));
        }
        return Sha256.hex(content.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String normalise(String text) {
        if (text == null) {
            return "";
        }
        return Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).trim().replaceAll("\\s+", " ");
    }
}
