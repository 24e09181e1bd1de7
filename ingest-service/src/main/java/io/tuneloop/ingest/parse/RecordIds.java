package io.tuneloop.ingest.parse;

import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.Preference;
import io.tuneloop.store.Sha256;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The id of a record is a hash of its normalised content (Unicode NFKC, case-folded, whitespace
 * collapsed), so exact duplicates that differ only in spacing or case get the same id and are
 * dropped by id wherever they meet. Ids are the first 128 bits of SHA-256 in hex (32 characters):
 * collisions are out of reach for any dataset, and the dedup index holds an id in two longs.
 */
public final class RecordIds {
    public static final int HEX_LENGTH = 32;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Sha256::digest);

    private RecordIds() {
    }

    public static String of(ParsedRecord record) {
        StringBuilder content = new StringBuilder(256);
        if (record.messages() != null) {
            appendTurns(content, record.messages());
            if (record.tools() != null) {
                content.append('\u0005').append(io.tuneloop.events.EventJson.toJson(record.tools()));
            }
            Preference preference = record.preference();
            if (preference != null) {
                // the answers and their roles in the comparison are content: the same pair with chosen
                // and rejected swapped, or the same completion labelled the other way, is another record
                if (preference.pairwise()) {
                    content.append("\u0006chosen");
                    appendTurns(content, preference.chosen());
                    content.append("\u0006rejected");
                    appendTurns(content, preference.rejected());
                } else {
                    content.append("\u0006completion:").append(preference.label());
                    appendTurns(content, preference.completion());
                }
            }
        } else {
            content.append(normalise(record.instruction())).append('\u0001')
                    .append(normalise(record.input())).append('\u0001')
                    .append(normalise(record.output()));
        }
        byte[] hash = SHA256.get().digest(content.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(hash, 0, HEX_LENGTH / 2);
    }

    private static void appendTurns(StringBuilder content, java.util.List<ChatMessage> turns) {
        for (ChatMessage m : turns) {
            content.append(m.role()).append('\u0001').append(normalise(m.content()));
            // tool calls and results are content; they are added only where present, so the ids of
            // records without them (all records before tool use was read) stay what they were
            if (m.toolCalls() != null || m.role().equals("tool")) {
                content.append('\u0003').append(io.tuneloop.events.EventJson.toJson(m.templateFields()));
            }
            content.append('\u0002');
        }
    }

    static String normalise(String text) {
        return text == null ? "" : TextFolding.foldCollapsingWhitespace(text);
    }
}
