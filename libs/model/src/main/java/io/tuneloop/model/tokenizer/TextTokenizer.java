package io.tuneloop.model.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A model's tokenizer, loaded from its Hugging Face files: {@code tokenizer.json} through the
 * Hugging Face tokenizers library (DJL's binding), special tokens and chat template from
 * {@code tokenizer_config.json} (and {@code special_tokens_map.json}). Encoding never truncates,
 * pads or adds special tokens by itself: templates decide where bos/eos go.
 */
public final class TextTokenizer implements AutoCloseable {
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> specialIds;
    private final int vocabSize;
    private final Map<String, String> specialTokens;
    private final String chatTemplate;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> specialIds, int vocabSize,
                          Map<String, String> specialTokens, String chatTemplate) {
        this.tokenizer = tokenizer;
        this.specialIds = specialIds;
        this.vocabSize = vocabSize;
        this.specialTokens = specialTokens;
        this.chatTemplate = chatTemplate;
    }

    /** Loads the tokenizer files of a model directory. */
    public static TextTokenizer load(Path directory) {
        Path tokenizerJson = directory.resolve(TOKENIZER_JSON);
        if (!Files.exists(tokenizerJson)) {
            throw new IllegalArgumentException(directory + " has no " + TOKENIZER_JSON);
        }
        try {
            JsonNode definition = JSON.readTree(tokenizerJson.toFile());
            Map<String, Integer> ids = new HashMap<>();
            definition.path("model").path("vocab").fields().forEachRemaining(e -> ids.put(e.getKey(), e.getValue().asInt()));
            int vocabSize = ids.values().stream().mapToInt(i -> i + 1).max().orElse(0);
            for (JsonNode added : definition.path("added_tokens")) {
                ids.put(added.path("content").asText(), added.path("id").asInt());
                vocabSize = Math.max(vocabSize, added.path("id").asInt() + 1);
            }
            Map<String, String> special = new HashMap<>();
            String template = null;
            for (String file : new String[]{SPECIAL_TOKENS_MAP, TOKENIZER_CONFIG}) {
                Path path = directory.resolve(file);
                if (Files.exists(path)) {
                    JsonNode config = JSON.readTree(path.toFile());
                    for (String role : new String[]{"bos_token", "eos_token", "pad_token", "unk_token"}) {
                        tokenText(config.path(role)).ifPresent(text -> special.put(role, text));
                    }
                    if (config.hasNonNull("chat_template") && config.get("chat_template").isTextual()) {
                        template = config.get("chat_template").asText();
                    }
                }
            }
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
            return new TextTokenizer(tokenizer, ids, vocabSize, Map.copyOf(special), template);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the tokenizer of " + directory, e);
        }
    }

    public long[] encode(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    /** Decodes ids back to text, special tokens included. */
    public String decode(long[] ids) {
        return tokenizer.decode(ids, false);
    }

    /** Decodes ids back to text without special tokens. */
    public String decodeSkippingSpecial(long[] ids) {
        return tokenizer.decode(ids, true);
    }

    public int vocabSize() {
        return vocabSize;
    }

    public OptionalInt bosId() {
        return idOfRole("bos_token");
    }

    public OptionalInt eosId() {
        return idOfRole("eos_token");
    }

    public OptionalInt padId() {
        return idOfRole("pad_token");
    }

    public Optional<String> token(String role) {
        return Optional.ofNullable(specialTokens.get(role));
    }

    /** The model's own Jinja chat template, when its tokenizer_config.json has one. */
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    public OptionalInt idOf(String token) {
        Integer id = specialIds.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    private OptionalInt idOfRole(String role) {
        String token = specialTokens.get(role);
        return token == null ? OptionalInt.empty() : idOf(token);
    }

    private static Optional<String> tokenText(JsonNode node) {
        if (node.isTextual()) {
            return Optional.of(node.asText());
        }
        if (node.isObject() && node.hasNonNull("content")) {
            return Optional.of(node.get("content").asText()); // AddedToken form
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
