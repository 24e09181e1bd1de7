package io.tuneloop.model.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a GPT-2 style byte-level BPE tokenizer on a corpus and writes it as a Hugging Face
 * {@code tokenizer.json}: every byte is a token (so any text encodes, no unknown token), merges
 * learned from the corpus shorten frequent words, and special tokens are added tokens. The file is
 * loaded by the same Hugging Face tokenizers library (through DJL) that loads a user's tokenizer.
 */
public final class ByteLevelBpe {
    /** GPT-2's pre-tokenizer pattern: the ByteLevel pre-tokenizer splits with it before BPE. */
    private static final Pattern PRE_TOKENIZE = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");
    private static final char[] BYTE_TO_CHAR = bytesToUnicode();
    private static final ObjectMapper JSON = new ObjectMapper();

    private ByteLevelBpe() {
    }

    /** A trained tokenizer: ids 0..255 are the bytes, then merges, then the special tokens. */
    public record Trained(Map<String, Integer> vocab, List<String[]> merges, List<String> specialTokens) {
        public int vocabSize() {
            return vocab.size() + specialTokens.size();
        }

        public int idOf(String specialToken) {
            int index = specialTokens.indexOf(specialToken);
            if (index < 0) {
                throw new IllegalArgumentException(specialToken + " is not a special token of this tokenizer");
            }
            return vocab.size() + index;
        }

        /** The tokenizer.json document. */
        public ObjectNode toJson() {
            ObjectNode root = JSON.createObjectNode();
            root.put("version", "1.0");
            root.putNull("truncation");
            root.putNull("padding");
            ArrayNode added = root.putArray("added_tokens");
            for (String special : specialTokens) {
                added.addObject().put("id", idOf(special)).put("content", special).put("single_word", false)
                        .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
            }
            root.putNull("normalizer");
            root.set("pre_tokenizer", byteLevel(false));
            root.set("post_processor", byteLevel(true).put("trim_offsets", false));
            root.set("decoder", byteLevel(true));
            ObjectNode model = root.putObject("model");
            model.put("type", "BPE");
            model.putNull("dropout");
            model.putNull("unk_token");
            model.put("continuing_subword_prefix", "");
            model.put("end_of_word_suffix", "");
            model.put("fuse_unk", false);
            model.put("byte_fallback", false);
            model.put("ignore_merges", false);
            ObjectNode vocabNode = model.putObject("vocab");
            vocab.forEach(vocabNode::put);
            ArrayNode mergesNode = model.putArray("merges");
            merges.forEach(m -> mergesNode.add(m[0] + " " + m[1]));
            return root;
        }

        private static ObjectNode byteLevel(boolean addPrefixSpace) {
            return JSON.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", addPrefixSpace)
                    .put("trim_offsets", true).put("use_regex", true);
        }
    }

    /**
     * Learns up to {@code merges} merges from {@code corpus} (most frequent adjacent pair first, ties
     * broken by the pair's text so that training is deterministic).
     */
    public static Trained train(List<String> corpus, int merges, List<String> specialTokens) {
        Map<List<String>, Integer> words = new HashMap<>();
        for (String text : corpus) {
            Matcher m = PRE_TOKENIZE.matcher(text);
            while (m.find()) {
                words.merge(symbols(m.group()), 1, Integer::sum);
            }
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(BYTE_TO_CHAR[b]), b);
        }
        List<String[]> learned = BpeMerges.learn(words, merges, vocab);
        return new Trained(vocab, learned, List.copyOf(specialTokens));
    }

    private static List<String> symbols(String piece) {
        List<String> symbols = new ArrayList<>();
        for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
            symbols.add(String.valueOf(BYTE_TO_CHAR[b & 0xFF]));
        }
        return symbols;
    }

    /** GPT-2's reversible map from bytes to printable characters (so BPE never sees whitespace or control bytes). */
    private static char[] bytesToUnicode() {
        char[] map = new char[256];
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            printable[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable[b] = true;
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = printable[b] ? (char) b : (char) (256 + n++);
        }
        return map;
    }
}
