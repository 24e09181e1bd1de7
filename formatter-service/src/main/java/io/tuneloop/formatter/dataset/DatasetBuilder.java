package io.tuneloop.formatter.dataset;

import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.Splits;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.JsonLines;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.dataset.DatasetManifest.ShardEntry;
import io.tuneloop.events.dataset.DatasetManifest.TokenStats;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.dataset.PreferenceExample;
import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.formatter.template.TaskTemplate;
import io.tuneloop.formatter.template.TemplateLibrary;
import io.tuneloop.formatter.template.TemplateRenderer;
import io.tuneloop.store.Sha256;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns raw records into the shards of a dataset version, FLAN-style: each record is rendered with
 * phrasings drawn from its task family, some with exemplars of the same task, whole tasks and some
 * phrasings are held out for evaluation, tasks are capped and mixed, and every example is put in
 * the target model's chat format and tokenized with loss spans.
 *
 * <p>The output depends only on the set of records and the spec, never on arrival order: every
 * choice is a hash of the record (see {@link Splitter#unit}) and shards are ordered by id (or by
 * length, then id, for a curriculum), so the same inputs give byte-identical shards and checksum.
 */
public final class DatasetBuilder {
    public static final String CONVERSATION_TEMPLATE = "conversation";

    private final DatasetSpec spec;
    private final TemplateLibrary library;
    private final TemplateRenderer renderer = new TemplateRenderer();
    private final ExampleEncoder encoder;
    private final Splitter splitter;
    private final int recordsPerShard;

    /** The shards of a version, ready to upload, and what the manifest says of them. */
    public record Built(List<Shard> shards, long recordCount, Map<String, Long> splitCounts,
                        Map<String, Long> taskCounts, Map<String, Long> templateCounts,
                        Map<String, Long> droppedByReason, Map<String, TokenStats> tokenStats,
                        String contentChecksum, List<Dropped> dropped, DatasetManifest.Contamination contamination) {
        public List<ShardEntry> entries() {
            return shards.stream().map(Shard::entry).toList();
        }
    }

    /** One JSON Lines file of one split. */
    public record Shard(ShardEntry entry, byte[] content) {
    }

    /**
     * Examples, preference pairs, and what was dropped on the way: counts by reason, and each drop
     * with its record and cause.
     */
    public record Formatted(List<InstructionRecord> examples, List<PreferenceExample> preferences,
                            Map<String, Long> droppedByReason, List<Dropped> dropped) {
        public Formatted(List<InstructionRecord> examples, Map<String, Long> droppedByReason, List<Dropped> dropped) {
            this(examples, List.of(), droppedByReason, dropped);
        }

        public Formatted(List<InstructionRecord> examples, Map<String, Long> droppedByReason) {
            this(examples, List.of(), droppedByReason, List.of());
        }
    }

    /** Why a preference record is not in a version. */
    public static final String DROPPED_UNARY_FEEDBACK = "unary_feedback_not_trained";
    public static final String DROPPED_PREFERENCE_HELDOUT = "preference_in_heldout_task";
    public static final String PREFERENCE_TEMPLATE = "preference";

    /**
     * A record (or one phrasing of it) left out of a version, and why: the version's quarantine, so a
     * user can find each record that did not make it, by its source file and line.
     *
     * @param recordId   the raw record
     * @param templateId the phrasing, or null when the whole record was dropped
     * @param reason     a reason code, as counted in the manifest
     * @param detail     the cause in words
     */
    public record Dropped(String recordId, String file, long line, String templateId, String reason, String detail) {
    }

    /** Why an example or pair is not in a version: it overlaps an eval prompt (spec contamination drop). */
    public static final String DROPPED_CONTAMINATED = "contaminated";

    /** A version refused because training data overlaps eval prompts (spec contamination refuse). */
    public static final class ContaminatedVersionException extends IllegalArgumentException {
        public ContaminatedVersionException(String message) {
            super(message);
        }
    }

    private final Decontamination decontamination;

    /** A builder that keeps the bundled eval suites' prompts out of training data. */
    public DatasetBuilder(DatasetSpec spec, TemplateLibrary library, ExampleEncoder encoder, int recordsPerShard) {
        this(spec, library, encoder, recordsPerShard, new Decontamination(io.tuneloop.events.dataset.EvalPrompts.bundled()));
    }

    /** @param decontamination the eval prompts to keep out of training data (every suite eval scores on) */
    public DatasetBuilder(DatasetSpec spec, TemplateLibrary library, ExampleEncoder encoder, int recordsPerShard,
                          Decontamination decontamination) {
        this.decontamination = decontamination;
        if (recordsPerShard < 1) {
            throw new IllegalArgumentException("records per shard must be >= 1");
        }
        for (String id : spec.heldOutTemplates()) {
            if (library.template(id).isEmpty()) {
                throw new IllegalArgumentException("heldOutTemplates names " + id + ", which is not in the template library");
            }
        }
        this.spec = spec;
        this.library = library;
        this.encoder = encoder;
        this.splitter = new Splitter(spec.validationFraction(), spec.reviewFraction());
        this.recordsPerShard = recordsPerShard;
    }

    public DatasetSpec spec() {
        return spec;
    }

    /** Renders, splits, mixes and encodes the records of a version (deduplicated by record id). */
    public Formatted format(Collection<RawRecord> records) {
        Map<String, RawRecord> unique = new TreeMap<>();
        records.forEach(r -> unique.putIfAbsent(r.recordId(), r));
        Map<String, List<String>> options = labelSets(unique.values());
        Map<String, Long> dropped = new TreeMap<>();
        List<Dropped> quarantine = new ArrayList<>();

        List<InstructionRecord> examples = new ArrayList<>();
        List<PreferenceExample> preferences = new ArrayList<>();
        for (RawRecord raw : unique.values()) {
            if (raw.preference() != null) {
                PairOrDrop outcome = preference(raw);
                if (outcome.pair() != null) {
                    preferences.add(outcome.pair());
                } else {
                    dropped.merge(outcome.drop().reason(), 1L, Long::sum);
                    quarantine.add(outcome.drop());
                }
                continue;
            }
            String split = spec.heldOutTask(raw.task(), raw.category()) ? Splits.HELDOUT_TASKS
                    : RawRecord.FEEDBACK_FORMAT.equals(raw.sourceFormat()) ? Splits.TRAIN
                    : splitter.splitOf(raw.recordId());
            List<Dropped> failures = new ArrayList<>();
            List<InstructionRecord> rendered = render(raw, split, options.getOrDefault(taskOf(raw), List.of()), failures);
            failures.forEach(f -> dropped.merge(f.reason(), 1L, Long::sum));
            quarantine.addAll(failures);
            if (rendered.isEmpty() && failures.isEmpty()) {
                dropped.merge("no_applicable_template", 1L, Long::sum);
                quarantine.add(new Dropped(raw.recordId(), raw.provenance().file(), raw.provenance().line(), null,
                        "no_applicable_template", "no phrasing of family " + library.familyOf(raw.category(), raw.task())
                        + " renders a non-blank prompt and response for this record"));
            }
            examples.addAll(rendered);
        }
        examples = addExemplars(examples, unique);
        examples.addAll(heldOutFewShot(examples, unique));
        examples = Mixer.mix(examples, spec);

        List<InstructionRecord> encoded = new ArrayList<>(examples.size());
        for (InstructionRecord example : examples) {
            ExampleEncoder.Encoded result = encoder.encode(example);
            if (result.record().isPresent()) {
                encoded.add(result.record().get());
                if (result.turnsAsContext() > 0) {
                    dropped.merge(ExampleEncoder.TURN_AS_CONTEXT, (long) result.turnsAsContext(), Long::sum);
                }
            } else {
                dropped.merge(result.droppedBecause(), 1L, Long::sum);
                quarantine.add(new Dropped(example.recordId(), example.file(), example.line(), example.templateId(),
                        result.droppedBecause(), result.detail()));
            }
        }
        quarantine.sort(Comparator.comparing(Dropped::recordId).thenComparing(d -> String.valueOf(d.templateId())));
        return new Formatted(encoded, preferences, dropped, quarantine);
    }

    /** A pair, encoded; or why the record is left out. */
    private record PairOrDrop(PreferenceExample pair, Dropped drop) {
    }

    /**
     * A preference record as a pair: each answer rendered after the prompt with the chat format and
     * tokenized exactly as an SFT conversation (the prompt's assistant turns as context, not learned).
     * Unary labels are kept out by name (no run trains on them), and so are pairs of held-out tasks.
     */
    private PairOrDrop preference(RawRecord raw) {
        if (!raw.preference().pairwise()) {
            return new PairOrDrop(null, dropped(raw, DROPPED_UNARY_FEEDBACK, "a completion labelled "
                    + (raw.preference().label() ? "desirable" : "undesirable") + " (KTO-style feedback): no run mode"
                    + " trains on unary labels yet, so it is kept in the raw batch and left out of the version"));
        }
        if (spec.heldOutTask(raw.task(), raw.category())) {
            return new PairOrDrop(null, dropped(raw, DROPPED_PREFERENCE_HELDOUT, "task " + taskOf(raw)
                    + " is held out: its pairs are never trained on"));
        }
        List<ChatMessage> prompt = raw.messages().stream().map(m -> m.role().equals("assistant")
                ? new ChatMessage(m.role(), m.content(), false, m.name(), m.toolCalls(), m.toolCallId()) : m).toList();
        PreferenceExample.Answer[] answers = new PreferenceExample.Answer[2];
        List<List<ChatMessage>> both = List.of(raw.preference().chosen(), raw.preference().rejected());
        for (int i = 0; i < 2; i++) {
            List<ChatMessage> turns = new ArrayList<>(prompt);
            turns.addAll(both.get(i));
            InstructionRecord sequence = new InstructionRecord(raw.recordId() + ":" + PREFERENCE_TEMPLATE, raw.recordId(),
                    taskOf(raw), raw.category(), PREFERENCE_TEMPLATE, raw.language(), Splits.PREFERENCES, null, null,
                    turns, null, null, null, raw.provenance().file(), raw.provenance().line(), raw.tools());
            ExampleEncoder.Encoded encoded = encoder.encode(sequence);
            if (encoded.record().isEmpty()) {
                return new PairOrDrop(null, dropped(raw, encoded.droppedBecause(), (i == 0 ? "chosen" : "rejected")
                        + " answer: " + encoded.detail()));
            }
            InstructionRecord e = encoded.record().get();
            answers[i] = new PreferenceExample.Answer(both.get(i), e.text(), e.tokens(), e.lossSpans());
        }
        return new PairOrDrop(new PreferenceExample(raw.recordId() + ":pair", raw.recordId(), taskOf(raw), raw.language(),
                raw.messages(), answers[0], answers[1], raw.provenance().file(), raw.provenance().line(), raw.tools()), null);
    }

    private static Dropped dropped(RawRecord raw, String reason, String detail) {
        return new Dropped(raw.recordId(), raw.provenance().file(), raw.provenance().line(), null, reason, detail);
    }

    /**
     * The examples of one raw record: its training phrasings, plus a held-out phrasing for validation.
     * A phrasing that fails for this record is skipped and reported in {@code failures}.
     */
    List<InstructionRecord> render(RawRecord raw, String split, List<String> options, List<Dropped> failures) {
        if (raw.messages() != null && !raw.messages().isEmpty()) {
            // a feedback round's samples keep their own template id, so a run can weigh them against the replay
            String template = RawRecord.FEEDBACK_FORMAT.equals(raw.sourceFormat()) ? InstructionRecord.FEEDBACK_TEMPLATE
                    : CONVERSATION_TEMPLATE;
            return List.of(example(raw, template, split, null, null));
        }
        String family = library.familyOf(raw.category(), raw.task());
        List<TaskTemplate> seen = new ArrayList<>();
        List<TaskTemplate> heldOut = new ArrayList<>();
        for (TaskTemplate t : library.family(family)) {
            (spec.heldOutTemplates().contains(t.id()) ? heldOut : seen).add(t);
        }
        TemplateRenderer.Fields fields = new TemplateRenderer.Fields(raw.instruction(), raw.input(), raw.output(),
                options, raw.task(), raw.category());
        List<InstructionRecord> out = new ArrayList<>();
        for (TaskTemplate template : shuffled(seen, raw.recordId())) {
            if (out.size() == spec.phrasingsPerRecord()) {
                break;
            }
            tryRender(template, fields, raw, failures).ifPresent(r ->
                    out.add(example(raw, template.id(), split, r.prompt(), r.response())));
        }
        if (split.equals(Splits.VALIDATION)) {
            for (TaskTemplate template : shuffled(heldOut, raw.recordId())) {
                Optional<TemplateRenderer.Rendered> r = tryRender(template, fields, raw, failures);
                if (r.isPresent()) {
                    out.add(example(raw, template.id(), Splits.HELDOUT_PHRASINGS, r.get().prompt(), r.get().response()));
                    break;
                }
            }
        }
        return out;
    }

    private Optional<TemplateRenderer.Rendered> tryRender(TaskTemplate template, TemplateRenderer.Fields fields,
                                                          RawRecord raw, List<Dropped> failures) {
        try {
            return renderer.render(template, fields);
        } catch (TemplateRenderer.RenderFailure e) {
            failures.add(new Dropped(raw.recordId(), raw.provenance().file(), raw.provenance().line(), template.id(),
                    "template_" + e.kind(), e.getMessage()));
            return Optional.empty();
        }
    }

    /**
     * Gives a {@code fewShot.fraction} share of training examples {@code k} exemplars: other training
     * records of the same task, rendered with the same phrasing, before the prompt. Exemplars come
     * from the training split only, so nothing of validation or held-out data leaks into training.
     */
    private List<InstructionRecord> addExemplars(List<InstructionRecord> examples, Map<String, RawRecord> raws) {
        int k = spec.fewShot().k();
        if (k == 0 || spec.fewShot().fraction() == 0) {
            return examples;
        }
        Map<String, List<RawRecord>> trainByTask = new HashMap<>();
        for (InstructionRecord e : examples) {
            if (e.split().equals(Splits.TRAIN) && e.messages() == null) {
                trainByTask.computeIfAbsent(e.task(), t -> new ArrayList<>()).add(raws.get(e.recordId()));
            }
        }
        trainByTask.values().forEach(list -> list.sort(Comparator.comparing(RawRecord::recordId)));
        List<InstructionRecord> out = new ArrayList<>(examples.size());
        for (InstructionRecord e : examples) {
            List<RawRecord> pool = trainByTask.get(e.task());
            if (!e.split().equals(Splits.TRAIN) || e.messages() != null || pool == null || pool.size() <= k
                    || Splitter.unit("few-shot", e.id()) >= spec.fewShot().fraction()) {
                out.add(e);
                continue;
            }
            TaskTemplate template = library.template(e.templateId()).orElseThrow();
            Exemplars shots = exemplars(template, pool, e, k);
            String prefix = shots.text();
            String templateId = e.templateId() + "+fs" + shots.count();
            out.add(new InstructionRecord(e.recordId() + ":" + templateId, e.recordId(), e.task(), e.category(), templateId,
                    e.language(), e.split(), prefix + e.prompt(), e.response(), null, null, null, null,
                    e.file(), e.line()));
        }
        return out;
    }

    /**
     * Few-shot variants of the held-out examples: each rendered again with {@code heldOutFewShot}
     * exemplars drawn from other records of its own held-out task and split (in context only: the
     * task is still never trained on). Template id {@code <template>+fs<k>}.
     */
    private List<InstructionRecord> heldOutFewShot(List<InstructionRecord> examples, Map<String, RawRecord> raws) {
        int k = spec.heldOutFewShot();
        if (k == 0) {
            return List.of();
        }
        Map<String, List<RawRecord>> pools = new HashMap<>();
        for (InstructionRecord e : examples) {
            if (isHeldOut(e) && e.messages() == null) {
                pools.computeIfAbsent(e.split() + "/" + e.task(), t -> new ArrayList<>()).add(raws.get(e.recordId()));
            }
        }
        pools.values().forEach(pool -> pool.sort(Comparator.comparing(RawRecord::recordId)));
        List<InstructionRecord> variants = new ArrayList<>();
        for (InstructionRecord e : examples) {
            if (!isHeldOut(e) || e.messages() != null) {
                continue;
            }
            List<RawRecord> pool = pools.get(e.split() + "/" + e.task());
            TaskTemplate template = library.template(e.templateId()).orElse(null);
            if (template == null || pool == null || pool.size() <= k) {
                continue;
            }
            Exemplars shots = exemplars(template, pool, e, k);
            String prefix = shots.text();
            String templateId = e.templateId() + "+fs" + shots.count();
            variants.add(new InstructionRecord(e.recordId() + ":" + templateId, e.recordId(), e.task(), e.category(), templateId,
                    e.language(), e.split(), prefix + e.prompt(), e.response(), null, null, null, null, e.file(), e.line()));
        }
        return variants;
    }

    private static boolean isHeldOut(InstructionRecord e) {
        return e.split().equals(Splits.HELDOUT_TASKS) || e.split().equals(Splits.HELDOUT_PHRASINGS);
    }

    /** Rendered exemplars, to put before a prompt, and how many there are. */
    private record Exemplars(String text, int count) {
    }

    /** Up to k exemplars from {@code pool} (not the example's own record), rendered with its template. */
    private Exemplars exemplars(TaskTemplate template, List<RawRecord> pool, InstructionRecord e, int k) {
        int start = (int) (Splitter.unit("exemplar-start", e.id()) * pool.size());
        StringBuilder prefix = new StringBuilder();
        int used = 0;
        for (int i = 0; used < k && i < pool.size(); i++) {
            RawRecord exemplar = pool.get((start + i) % pool.size());
            if (exemplar.recordId().equals(e.recordId())) {
                continue;
            }
            Optional<TemplateRenderer.Rendered> r;
            try {
                r = renderer.render(template, new TemplateRenderer.Fields(exemplar.instruction(), exemplar.input(),
                        exemplar.output(), List.of(), exemplar.task(), exemplar.category()));
            } catch (TemplateRenderer.RenderFailure failure) {
                r = Optional.empty(); // this exemplar's own rendering was reported with its record
            }
            if (r.isPresent()) {
                prefix.append(r.get().prompt()).append('\n').append(r.get().response()).append("\n\n");
                used++;
            }
        }
        return new Exemplars(prefix.toString(), used);
    }

    /**
     * Checks the training examples and pairs against the eval prompts (as the spec says: drop them,
     * refuse the version, or report them), then writes the examples (deduplicated by id) into
     * per-split JSON Lines shards.
     */
    public Built build(Formatted unchecked) {
        Checked checked = decontaminate(unchecked);
        Formatted formatted = checked.formatted();
        Map<String, InstructionRecord> unique = new TreeMap<>();
        for (InstructionRecord record : formatted.examples()) {
            unique.putIfAbsent(record.id(), record);
        }
        Map<String, List<InstructionRecord>> bySplit = new TreeMap<>();
        Map<String, Long> taskCounts = new TreeMap<>();
        Map<String, Long> templateCounts = new TreeMap<>();
        for (InstructionRecord record : unique.values()) {
            bySplit.computeIfAbsent(record.split(), s -> new ArrayList<>()).add(record);
            taskCounts.merge(record.task(), 1L, Long::sum);
            templateCounts.merge(record.templateId(), 1L, Long::sum);
        }
        List<Shard> shards = new ArrayList<>();
        Map<String, Long> splitCounts = new TreeMap<>();
        Map<String, TokenStats> tokenStats = new TreeMap<>();
        for (var split : bySplit.entrySet()) {
            List<InstructionRecord> inSplit = split.getValue();
            if (spec.curriculum().equals("length")) {
                inSplit.sort(Comparator.comparingInt(InstructionRecord::length).thenComparing(InstructionRecord::id));
            }
            splitCounts.put(split.getKey(), (long) inSplit.size());
            if (encoder.tokenizes()) {
                tokenStats.put(split.getKey(), TokenStats.of(inSplit));
            }
            for (int start = 0, index = 0; start < inSplit.size(); start += recordsPerShard, index++) {
                List<InstructionRecord> part = inSplit.subList(start, Math.min(start + recordsPerShard, inSplit.size()));
                byte[] content = JsonLines.toBytes(part);
                String name = "%s-%05d.jsonl".formatted(split.getKey(), index);
                shards.add(new Shard(new ShardEntry(name, split.getKey(), part.size(), Sha256.hex(content),
                        content.length), content));
            }
        }
        List<PreferenceExample> pairs = new ArrayList<>(new TreeMap<>(formatted.preferences().stream().collect(
                java.util.stream.Collectors.toMap(PreferenceExample::id, p -> p, (a, b) -> a))).values());
        if (!pairs.isEmpty()) {
            splitCounts.put(Splits.PREFERENCES, (long) pairs.size());
        }
        for (int start = 0, index = 0; start < pairs.size(); start += recordsPerShard, index++) {
            List<PreferenceExample> part = pairs.subList(start, Math.min(start + recordsPerShard, pairs.size()));
            byte[] content = JsonLines.toBytes(part);
            String name = "%s-%05d.jsonl".formatted(Splits.PREFERENCES, index);
            shards.add(new Shard(new ShardEntry(name, Splits.PREFERENCES, part.size(), Sha256.hex(content),
                    content.length), content));
        }
        shards.sort(Comparator.comparing(s -> s.entry().name()));
        return new Built(List.copyOf(shards), unique.size(), splitCounts, taskCounts, templateCounts,
                formatted.droppedByReason(), tokenStats, contentChecksum(shards), formatted.dropped(), checked.report());
    }

    private record Checked(Formatted formatted, DatasetManifest.Contamination report) {
    }

    private Checked decontaminate(Formatted formatted) {
        ContaminationCheck check = new ContaminationCheck(formatted);
        List<InstructionRecord> examples = new ArrayList<>();
        for (InstructionRecord e : formatted.examples()) {
            // mixing repeats an example under one record and phrasing: it is matched once
            if (!e.split().equals(Splits.TRAIN) || check.keep(e.recordId() + ":" + e.templateId(), trainingText(e),
                    new Dropped(e.recordId(), e.file(), e.line(), e.templateId(), null, null))) {
                examples.add(e);
            }
        }
        List<PreferenceExample> pairs = new ArrayList<>();
        for (PreferenceExample p : formatted.preferences()) {
            if (check.keep(p.id(), trainingText(p), new Dropped(p.recordId(), p.file(), p.line(), PREFERENCE_TEMPLATE,
                    null, null))) {
                pairs.add(p);
            }
        }
        return check.finish(examples, pairs);
    }

    /** One version's contamination check under the spec's policy: counts, drops into the quarantine, refusal. */
    private final class ContaminationCheck {
        private final String policy = spec.contamination();
        private final Map<String, Long> dropped;
        private final List<Dropped> quarantine;
        private final Map<String, Long> bySuite = new TreeMap<>();
        private final Map<String, Optional<Decontamination.Match>> matched = new HashMap<>();
        private final List<String> examplesOfOverlap = new ArrayList<>();
        private long checked;
        private long contaminated;
        private long droppedCount;

        ContaminationCheck(Formatted formatted) {
            this.dropped = new TreeMap<>(formatted.droppedByReason());
            this.quarantine = new ArrayList<>(formatted.dropped());
        }

        /** Whether the example stays; {@code source} says where it came from, for the quarantine. */
        boolean keep(String key, String text, Dropped source) {
            checked++;
            Optional<Decontamination.Match> match = matched.computeIfAbsent(key, k -> decontamination.match(text));
            if (match.isEmpty()) {
                return true;
            }
            contaminated++;
            bySuite.merge(match.get().prompt().suite(), 1L, Long::sum);
            if (examplesOfOverlap.size() < 5) {
                examplesOfOverlap.add(source.recordId() + " (" + source.file() + " line " + source.line() + ") "
                        + match.get().describe());
            }
            if (!policy.equals("drop")) {
                return true;
            }
            droppedCount++;
            dropped.merge(DROPPED_CONTAMINATED, 1L, Long::sum);
            quarantine.add(new Dropped(source.recordId(), source.file(), source.line(), source.templateId(),
                    DROPPED_CONTAMINATED, match.get().describe()));
            return false;
        }

        Checked finish(List<InstructionRecord> examples, List<PreferenceExample> pairs) {
            if (policy.equals("refuse") && contaminated > 0) {
                throw new ContaminatedVersionException(contaminated + " training examples or pairs overlap eval prompts"
                        + " (contamination: refuse), for example: " + String.join("; ", examplesOfOverlap));
            }
            quarantine.sort(Comparator.comparing(Dropped::recordId).thenComparing(d -> String.valueOf(d.templateId())));
            return new Checked(new Formatted(examples, pairs, dropped, quarantine),
                    decontamination.report(policy, checked, contaminated, droppedCount, bySuite));
        }
    }

    /** What of an example is checked against eval prompts: its prompt and response, or its turns. */
    private static String trainingText(InstructionRecord e) {
        if (e.messages() != null) {
            return String.join("\n", e.messages().stream().map(ChatMessage::content).toList());
        }
        return e.prompt() + "\n" + e.response();
    }

    private static String trainingText(PreferenceExample p) {
        List<String> texts = new ArrayList<>();
        p.prompt().forEach(m -> texts.add(m.content()));
        p.chosen().turns().forEach(m -> texts.add(m.content()));
        p.rejected().turns().forEach(m -> texts.add(m.content()));
        return String.join("\n", texts);
    }

    /** The label sets of classification tasks (sorted distinct outputs), for templates' options. */
    private static Map<String, List<String>> labelSets(Collection<RawRecord> records) {
        Map<String, TreeSet<String>> labels = new HashMap<>();
        for (RawRecord r : records) {
            if (Boolean.TRUE.equals(r.isClassification()) && r.output() != null) {
                labels.computeIfAbsent(taskOf(r), t -> new TreeSet<>()).add(r.output().strip());
            }
        }
        Map<String, List<String>> sets = new LinkedHashMap<>();
        labels.forEach((task, set) -> sets.put(task, List.copyOf(set)));
        return sets;
    }

    static String taskOf(RawRecord raw) {
        return raw.task() != null ? raw.task() : raw.category() != null ? raw.category() : "unknown";
    }

    private static InstructionRecord example(RawRecord raw, String templateId, String split, String prompt,
                                             String response) {
        return new InstructionRecord(raw.recordId() + ":" + templateId, raw.recordId(), taskOf(raw), raw.category(), templateId,
                raw.language(), split, prompt, response, raw.messages(), null, null, null,
                raw.provenance().file(), raw.provenance().line(), raw.tools());
    }

    /** The templates in an order drawn from the record id (the same record always gets the same phrasing). */
    private static List<TaskTemplate> shuffled(List<TaskTemplate> templates, String recordId) {
        Map<TaskTemplate, Double> draw = new HashMap<>();
        templates.forEach(t -> draw.put(t, Splitter.unit("template:" + t.id(), recordId))); // one hash per template
        List<TaskTemplate> order = new ArrayList<>(templates);
        order.sort(Comparator.comparingDouble(draw::get));
        return order;
    }

    private static String contentChecksum(List<Shard> shards) {
        StringBuilder summary = new StringBuilder();
        for (Shard shard : shards) {
            summary.append(shard.entry().name()).append(':').append(shard.entry().sha256()).append('\n');
        }
        return Sha256.hex(summary.toString().getBytes(StandardCharsets.UTF_8));
    }
}
