package io.tuneloop.model.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.model.chat.ChatTemplate;
import io.tuneloop.model.chat.Message;
import io.tuneloop.model.chat.Segment;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.tokenizer.TextTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ids that end a generated turn, as Hugging Face's {@code generate} stops with a model's files:
 * every eos id of config.json and of generation_config.json (each may be a list: Llama-3.x-Instruct
 * lists three), the tokenizer's eos token, and the special token the chat template closes an
 * assistant turn with ({@code <|eot_id|>}, {@code <|im_end|>}), so that decoding stops at the end of
 * the turn instead of running on into turns the model invents.
 */
public final class StopTokens {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROBE = "tuneloop-stop-probe";

    private StopTokens() {
    }

    public static Set<Long> of(Path modelDirectory, TextTokenizer tokenizer) {
        Set<Long> ids = new TreeSet<>();
        for (String file : List.of(Models.CONFIG, Models.GENERATION_CONFIG)) {
            Path path = modelDirectory.resolve(file);
            if (Files.exists(path)) {
                try {
                    JsonNode node = JSON.readTree(path.toFile());
                    ModelConfig.ids(node.path("eos_token_id")).forEach(id -> ids.add((long) id));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + path, e);
                }
            }
        }
        tokenizer.eosId().ifPresent(id -> ids.add((long) id));
        endOfTurn(tokenizer, ChatTemplate.ofModel(tokenizer)).ifPresent(ids::add);
        return ids;
    }

    /**
     * The first special token the template writes after an assistant's text: render a one-turn
     * conversation for training and read what follows the answer.
     */
    static Optional<Long> endOfTurn(TextTokenizer tokenizer, Optional<ChatTemplate> template) {
        if (template.isEmpty()) {
            return Optional.empty();
        }
        List<Segment> segments;
        try {
            segments = template.get().renderForTraining(List.of(Message.user("Hello"), Message.assistant(PROBE)));
        } catch (RuntimeException e) {
            return Optional.empty(); // a template that refuses the probe conversation: eos ids still apply
        }
        String answer = segments.stream().filter(Segment::trained).findFirst().map(Segment::text).orElse("");
        int at = answer.indexOf(PROBE);
        if (at < 0) {
            return Optional.empty();
        }
        String after = answer.substring(at + PROBE.length());
        for (String special : tokenizer.specialAddedTokens()) {
            if (after.stripLeading().startsWith(special)) {
                return Optional.of((long) tokenizer.idOf(special).orElseThrow());
            }
        }
        return Optional.empty();
    }
}
