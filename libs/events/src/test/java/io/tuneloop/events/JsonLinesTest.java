package io.tuneloop.events;

import io.tuneloop.events.payload.ChatMessage;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonLinesTest {
    private static final List<ChatMessage> MESSAGES = List.of(new ChatMessage("user", "a line\nwith a newline", null),
            new ChatMessage("assistant", "ünïcödé 🙂", null));

    @Test
    void whatIsWrittenReadsBackAndEveryValueEndsItsLine() {
        byte[] bytes = JsonLines.toBytes(MESSAGES);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).endsWith("}\n").hasLineCount(2);
        assertThat(JsonLines.read(bytes, ChatMessage.class)).isEqualTo(MESSAGES);
    }

    @Test
    void aStreamIsReadInPiecesWithBlankLinesAndWithoutAFinalNewline() throws Exception {
        String text = "\n" + EventJson.toJson(MESSAGES.get(0)) + "\r\n\n   \n" + EventJson.toJson(MESSAGES.get(1));
        // one byte at a time: values split across reads are joined
        InputStream trickle = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        List<ChatMessage> read = new ArrayList<>();
        JsonLines.forEach(trickle, ChatMessage.class, read::add);
        assertThat(read).isEqualTo(MESSAGES);
    }

    @Test
    void aBrokenLineIsReportedWithItsNumber() {
        byte[] bytes = (EventJson.toJson(MESSAGES.get(0)) + "\n{\"role\": \"user\", \"content\": \n")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> JsonLines.read(bytes, ChatMessage.class)).isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("line 2: ");
    }
}
