package io.tuneloop.model.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BPE training shared by the tokenizers made in code: learn merges from words (symbol sequences
 * with counts), the most frequent adjacent pair first, ties broken by the pair's text so training
 * is deterministic; each merged symbol joins the vocabulary.
 */
final class BpeMerges {
    private BpeMerges() {
    }

    /** Up to {@code merges} merges; {@code vocab} gains each merged symbol. */
    static List<String[]> learn(Map<List<String>, Integer> words, int merges, Map<String, Integer> vocab) {
        List<String[]> learned = new ArrayList<>();
        for (int step = 0; step < merges; step++) {
            Map<String, Integer> pairCounts = new HashMap<>();
            for (var word : words.entrySet()) {
                List<String> s = word.getKey();
                for (int i = 0; i + 1 < s.size(); i++) {
                    pairCounts.merge(s.get(i) + "\u0000" + s.get(i + 1), word.getValue(), Integer::sum);
                }
            }
            String best = null;
            int bestCount = 1; // a pair seen once is not worth a token
            for (var pair : pairCounts.entrySet()) {
                if (pair.getValue() > bestCount || pair.getValue() == bestCount && best != null
                        && pair.getKey().compareTo(best) < 0) {
                    best = pair.getKey();
                    bestCount = pair.getValue();
                }
            }
            if (best == null) {
                break;
            }
            String[] pair = best.split("\u0000", 2);
            String merged = pair[0] + pair[1];
            learned.add(pair);
            vocab.putIfAbsent(merged, vocab.size());
            Map<List<String>, Integer> next = new HashMap<>();
            for (var word : words.entrySet()) {
                next.merge(merge(word.getKey(), pair[0], pair[1], merged), word.getValue(), Integer::sum);
            }
            words = next;
        }
        return learned;
    }

    private static List<String> merge(List<String> symbols, String left, String right, String merged) {
        List<String> out = new ArrayList<>(symbols.size());
        for (int i = 0; i < symbols.size(); i++) {
            if (i + 1 < symbols.size() && symbols.get(i).equals(left) && symbols.get(i + 1).equals(right)) {
                out.add(merged);
                i++;
            } else {
                out.add(symbols.get(i));
            }
        }
        return List.copyOf(out);
    }
}
