package io.tuneloop.formatter.dataset;

import io.tuneloop.events.dataset.Splits;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.dataset.InstructionRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decides how many training examples each task contributes (see {@link DatasetSpec.Mixing}); other
 * splits are left whole. Within a task, examples are taken in an order drawn from their ids, so a
 * cap keeps the same examples in every version built from the same records.
 */
final class Mixer {
    private Mixer() {
    }

    static List<InstructionRecord> mix(List<InstructionRecord> examples, DatasetSpec spec) {
        Map<String, List<InstructionRecord>> trainByTask = new TreeMap<>();
        List<InstructionRecord> out = new ArrayList<>();
        for (InstructionRecord e : examples) {
            if (e.split().equals(Splits.TRAIN)) {
                trainByTask.computeIfAbsent(e.task(), t -> new ArrayList<>()).add(e);
            } else {
                out.add(e);
            }
        }
        Map<String, Integer> available = new TreeMap<>();
        for (var task : trainByTask.entrySet()) {
            Map<String, Double> draw = new java.util.HashMap<>(); // one hash per example, not per comparison
            task.getValue().forEach(e -> draw.put(e.id(), Splitter.unit("mix", e.id())));
            task.getValue().sort(Comparator.comparingDouble((InstructionRecord e) -> draw.get(e.id()))
                    .thenComparing(InstructionRecord::id));
            int n = task.getValue().size();
            if (spec.maxPerTask() > 0) {
                n = Math.min(n, spec.maxPerTask());
            }
            available.put(task.getKey(), n);
        }
        Map<String, Integer> counts = counts(available, spec.mixing());
        for (var task : trainByTask.entrySet()) {
            List<InstructionRecord> pool = task.getValue().subList(0, available.get(task.getKey()));
            int count = counts.get(task.getKey());
            for (int i = 0; i < count; i++) {
                InstructionRecord e = pool.get(i % pool.size());
                int repeat = i / pool.size();
                out.add(repeat == 0 ? e : e.withId(e.id() + "~r" + repeat));
            }
        }
        return out;
    }

    /** Examples per task given what each task has (after the cap). */
    static Map<String, Integer> counts(Map<String, Integer> available, DatasetSpec.Mixing mixing) {
        Map<String, Integer> counts = new TreeMap<>();
        int maxRate = mixing.maxRate() == null ? Integer.MAX_VALUE : mixing.maxRate();
        switch (mixing.strategy()) {
            case "proportional" -> available.forEach((task, n) -> counts.put(task, Math.min(n, maxRate)));
            case "temperature" -> {
                double temperature = mixing.temperature() == null ? 1.0 : mixing.temperature();
                double total = 0;
                double weightSum = 0;
                Map<String, Double> weights = new TreeMap<>();
                for (var task : available.entrySet()) {
                    int base = Math.min(task.getValue(), maxRate);
                    total += base;
                    double w = Math.pow(base, 1.0 / temperature);
                    weights.put(task.getKey(), w);
                    weightSum += w;
                }
                for (var task : weights.entrySet()) {
                    int count = (int) Math.round(total * task.getValue() / weightSum);
                    counts.put(task.getKey(), available.get(task.getKey()) == 0 ? 0 : Math.max(1, count));
                }
            }
            default -> counts.putAll(available);
        }
        return counts;
    }
}
