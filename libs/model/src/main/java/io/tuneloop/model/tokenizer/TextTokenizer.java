package io.tuneloop.model.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A model's tokenizer, loaded from its Hugging Face files: {@code tokenizer.json} through the
 * Hugging Face tokenizers library (DJL's binding), special tokens from {@code tokenizer_config.json}
 * and {@code special_tokens_map.json}, chat templates from {@code chat_template.jinja} or
 * {@code tokenizer_config.json} (a string or a list of named templates). Encoding never truncates
 * or pads; whether special tokens are added is the caller's choice, as in HF.
 */
public final class TextTokenizer implements AutoCloseable {
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    public static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";
    /** The files of a model directory that make up its tokenizer (all optional but tokenizer.json). */
    public static final List<String> FILES = List.of(TOKENIZER_JSON, TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP, CHAT_TEMPLATE_FILE);
    /** HF's SPECIAL_TOKENS_ATTRIBUTES, in its order; each is a template variable when the tokenizer sets it. */
    private static final List<String> SPECIAL_ROLES = List.of("bos_token", "eos_token", "unk_token", "sep_token",
            "pad_token", "cls_token", "mask_token");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> ids;
    private final int vocabSize;
    private final Map<String, String> specialTokens;
    private final List<String> additionalSpecialTokens;
    private final List<String> specialAddedTokens;
    private final Map<String, String> chatTemplates;
    private final Map<String, Boolean> addFlags;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> ids, int vocabSize,
                          Map<String, String> specialTokens, List<String> additionalSpecialTokens,
                          List<String> specialAddedTokens, Map<String, String> chatTemplates,
                          Map<String, Boolean> addFlags) {
        this.tokenizer = tokenizer;
        this.ids = ids;
        this.vocabSize = vocabSize;
        this.specialTokens = specialTokens;
        this.additionalSpecialTokens = additionalSpecialTokens;
        this.specialAddedTokens = specialAddedTokens;
        this.chatTemplates = chatTemplates;
        this.addFlags = addFlags;
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
            List<String> specialAdded = new ArrayList<>();
            for (JsonNode added : definition.path("added_tokens")) {
                ids.put(added.path("content").asText(), added.path("id").asInt());
                vocabSize = Math.max(vocabSize, added.path("id").asInt() + 1);
                if (added.path("special").asBoolean(false)) {
                    specialAdded.add(added.path("content").asText());
                }
            }
            Map<String, String> special = new LinkedHashMap<>();
            List<String> additional = new ArrayList<>();
            Map<String, String> templates = new LinkedHashMap<>();
            Map<String, Boolean> addFlags = new LinkedHashMap<>();
            for (String file : new String[]{SPECIAL_TOKENS_MAP, TOKENIZER_CONFIG}) {
                Path path = directory.resolve(file);
                if (!Files.exists(path)) {
                    continue;
                }
                JsonNode config = JSON.readTree(path.toFile());
                for (String role : SPECIAL_ROLES) {
                    if (config.has(role)) {
                        Optional<String> text = tokenText(config.get(role));
                        if (text.isPresent()) {
                            special.put(role, text.get());
                        } else {
                            special.remove(role); // an explicit null in tokenizer_config unsets it
                        }
                    }
                }
                if (config.path("additional_special_tokens").isArray()) {
                    additional.clear();
                    config.get("additional_special_tokens").forEach(t -> tokenText(t).ifPresent(additional::add));
                }
                for (String flag : new String[]{"add_bos_token", "add_eos_token"}) {
                    if (config.path(flag).isBoolean()) {
                        addFlags.put(flag, config.get(flag).asBoolean());
                    }
                }
                JsonNode template = config.get("chat_template");
                if (template != null && template.isTextual()) {
                    templates.clear();
                    templates.put("default", template.asText());
                } else if (template != null && template.isArray()) {
                    templates.clear();
                    for (JsonNode named : template) {
                        if (!named.path("name").isTextual() || !named.path("template").isTextual()) {
                            throw new IllegalArgumentException(path + ": each chat_template entry needs a name and a template");
                        }
                        templates.put(named.get("name").asText(), named.get("template").asText());
                    }
                }
            }
            Path jinja = directory.resolve(CHAT_TEMPLATE_FILE);
            if (Files.exists(jinja)) { // newer repositories keep the default template in its own file; it wins
                templates.put("default", Files.readString(jinja));
            }
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
            return new TextTokenizer(tokenizer, ids, vocabSize, Map.copyOf(special), List.copyOf(additional),
                    List.copyOf(specialAdded), Map.copyOf(templates), Map.copyOf(addFlags));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the tokenizer of " + directory, e);
        }
    }

    /** The ids of {@code text} alone (no BOS/EOS from the post-processor), as HF's apply_chat_template encodes. */
    public long[] encode(String text) {
        return encode(text, false);
    }

    /** The ids of {@code text}; {@code addSpecialTokens} applies tokenizer.json's post-processor, as HF's tokenizer(text). */
    public long[] encode(String text, boolean addSpecialTokens) {
        return tokenizer.encode(text, addSpecialTokens, false).getIds();
    }

    /**
     * Ids of {@code text} with, for each token, the [start, end) range of {@code text} (UTF-16
     * indices) it came from; tokens added by the post-processor (addSpecialTokens) have {-1, -1}.
     */
    public Encoded encodeWithOffsets(String text, boolean addSpecialTokens) {
        Encoding encoding = tokenizer.encode(text, addSpecialTokens, false);
        long[] tokenIds = encoding.getIds();
        CharSpan[] spans = encoding.getCharTokenSpans();
        int[] starts = new int[tokenIds.length];
        int[] ends = new int[tokenIds.length];
        // the library counts code points; Java strings index UTF-16 units
        int[] utf16 = codePointToUtf16(text);
        for (int i = 0; i < tokenIds.length; i++) {
            CharSpan span = spans == null || i >= spans.length ? null : spans[i];
            if (span == null) {
                starts[i] = -1;
                ends[i] = -1;
            } else {
                starts[i] = utf16[Math.min(span.getStart(), utf16.length - 1)];
                ends[i] = utf16[Math.min(span.getEnd(), utf16.length - 1)];
            }
        }
        return new Encoded(tokenIds, starts, ends);
    }

    /**
     * Fails when tokenizer_config.json's {@code add_bos_token} / {@code add_eos_token} disagree with
     * what tokenizer.json's post-processor adds: transformers 4.x (LlamaTokenizerFast rebuilds the
     * post-processor from the flags) and transformers 5.x / transformers.js (the post-processor
     * alone) then encode plain text differently, so no encoding is "what HF does".
     */
    public void requireConsistentSpecialTokens() {
        long[] bare = encode("a", false);
        long[] full = encode("a", true);
        int at = indexOf(full, bare);
        boolean addsBos = at > 0 && bosId().isPresent() && full[0] == bosId().getAsInt();
        boolean addsEos = at >= 0 && at + bare.length < full.length && eosId().isPresent()
                && full[full.length - 1] == eosId().getAsInt();
        check("add_bos_token", addsBos);
        check("add_eos_token", addsEos);
    }

    private void check(String flag, boolean postProcessorAdds) {
        Boolean configured = addFlags.get(flag);
        if (configured != null && configured != postProcessorAdds) {
            throw new IllegalArgumentException("tokenizer_config.json sets " + flag + "=" + configured
                    + " but tokenizer.json's post-processor " + (postProcessorAdds ? "adds" : "does not add") + " that token;"
                    + " transformers 4.x and 5.x encode such a tokenizer differently, so tuneloop refuses to guess:"
                    + " make the two agree");
        }
    }

    private static int indexOf(long[] haystack, long[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    /** Token ids with their source ranges ({@code start[i]..end[i]} of the text; -1 for added special tokens). */
    public record Encoded(long[] ids, int[] start, int[] end) {
    }

    private static int[] codePointToUtf16(String text) {
        int points = text.codePointCount(0, text.length());
        int[] map = new int[points + 1];
        int at = 0;
        for (int p = 0; p < points; p++) {
            map[p] = at;
            at += Character.charCount(text.codePointAt(at));
        }
        map[points] = text.length();
        return map;
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

    /**
     * HF's {@code special_tokens_map}: each special token the tokenizer sets (bos_token, eos_token,
     * unk_token, sep_token, pad_token, cls_token, mask_token) and additional_special_tokens; what a
     * chat template sees as variables. Tokens the tokenizer does not set are absent (undefined).
     */
    public Map<String, Object> specialTokensMap() {
        Map<String, Object> map = new LinkedHashMap<>(specialTokens);
        if (!additionalSpecialTokens.isEmpty()) {
            map.put("additional_special_tokens", additionalSpecialTokens);
        }
        return map;
    }

    /** Added tokens marked special in tokenizer.json (control tokens such as {@code <|im_end|>}). */
    public List<String> specialAddedTokens() {
        return specialAddedTokens;
    }

    /** The default chat template, when the model has one. */
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplates.get("default"));
    }

    /** Every chat template by name ("default" for a single one). */
    public Map<String, String> chatTemplates() {
        return chatTemplates;
    }

    public OptionalInt idOf(String token) {
        Integer id = ids.get(token);
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
