package io.tuneloop.model.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Trains a SentencePiece-style BPE tokenizer (the layout of Llama-2, Mistral and TinyLlama
 * {@code tokenizer.json} files) and writes it in Hugging Face's format: spaces become {@code ▁}
 * and one is prepended to the text, characters outside the vocabulary fall back to byte tokens
 * {@code <0x..>}, and the post-processor adds {@code <s>}. Two layouts: "legacy" (a Prepend and
 * Replace normalizer, no pre-tokenizer) and "metaspace" (a Metaspace pre-tokenizer that prepends
 * only at the start). Used by tests to check that whole-text tokenization matches HF.
 */
public final class SentencePieceBpe {
    public static final String SPACE = "\u2581";
    public static final String UNK = "<unk>";
    public static final String BOS = "<s>";
    public static final String EOS = "</s>";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SentencePieceBpe() {
    }

    /** The tokenizer.json document: {@code <unk>} 0, {@code <s>} 1, {@code </s>} 2, 256 byte tokens, characters, merges. */
    public static ObjectNode train(List<String> corpus, int merges, boolean legacy, List<String> extraSpecialTokens) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        vocab.put(UNK, 0);
        vocab.put(BOS, 1);
        vocab.put(EOS, 2);
        for (int b = 0; b < 256; b++) {
            vocab.put(String.format("<0x%02X>", b), vocab.size());
        }
        Map<List<String>, Integer> words = new HashMap<>();
        TreeSet<String> characters = new TreeSet<>();
        characters.add(SPACE);
        for (String text : corpus) {
            String normalized = SPACE + text.replace(" ", SPACE);
            // merges are learned within pieces that start at a ▁, as SentencePiece's pieces do
            for (String piece : normalized.split("(?=" + SPACE + ")")) {
                List<String> symbols = new ArrayList<>();
                piece.codePoints().forEach(c -> symbols.add(new String(Character.toChars(c))));
                symbols.forEach(characters::add);
                words.merge(symbols, 1, Integer::sum);
            }
        }
        characters.stream().filter(c -> !c.equals("\n")).forEach(c -> vocab.putIfAbsent(c, vocab.size()));
        List<String[]> learned = BpeMerges.learn(words, merges, vocab);
        List<String> added = new ArrayList<>(List.of(UNK, BOS, EOS));
        for (String special : extraSpecialTokens) {
            vocab.putIfAbsent(special, vocab.size());
            added.add(special);
        }
        return document(vocab, learned, added, legacy);
    }

    private static ObjectNode document(Map<String, Integer> vocab, List<String[]> merges, List<String> added, boolean legacy) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode addedTokens = root.putArray("added_tokens");
        for (String token : added) {
            addedTokens.addObject().put("id", vocab.get(token)).put("content", token).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        if (legacy) {
            ObjectNode normalizer = root.putObject("normalizer").put("type", "Sequence");
            ArrayNode steps = normalizer.putArray("normalizers");
            steps.addObject().put("type", "Prepend").put("prepend", SPACE);
            ObjectNode replace = steps.addObject().put("type", "Replace");
            replace.putObject("pattern").put("String", " ");
            replace.put("content", SPACE);
            root.putNull("pre_tokenizer");
        } else {
            root.putNull("normalizer");
            root.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", SPACE)
                    .put("prepend_scheme", "first").put("split", false);
        }
        ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bos = post.putObject("special_tokens").putObject(BOS);
        bos.put("id", BOS);
        bos.putArray("ids").add(1);
        bos.putArray("tokens").add(BOS);
        ObjectNode decoder = root.putObject("decoder").put("type", "Sequence");
        ArrayNode decoders = decoder.putArray("decoders");
        ObjectNode space = decoders.addObject().put("type", "Replace");
        space.putObject("pattern").put("String", SPACE);
        space.put("content", " ");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", UNK);
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", true);
        model.put("byte_fallback", true);
        model.put("ignore_merges", false);
        ObjectNode vocabNode = model.putObject("vocab");
        vocab.forEach(vocabNode::put);
        ArrayNode mergesNode = model.putArray("merges");
        merges.forEach(m -> mergesNode.addArray().add(m[0]).add(m[1]));
        return root;
    }
}
