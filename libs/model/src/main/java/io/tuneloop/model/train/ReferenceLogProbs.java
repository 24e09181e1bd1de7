package io.tuneloop.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.GradMode;
import io.tuneloop.model.safetensors.SafetensorsFile;
import io.tuneloop.model.safetensors.Tensor;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The reference model's log-probabilities of every pair's chosen and rejected response: computed
 * once, from the model a DPO run starts from (frozen; with LoRA, the base with the adapter
 * switched off), and kept in each checkpoint as {@code dpo_reference.safetensors}, so every later
 * range of the run reads the same constants instead of keeping a second model. The file names the
 * pairs it was computed for (a digest of their tokens and masks); a range given other pairs refuses it.
 *
 * @param chosen   [pair] log ref(y_w|x)
 * @param rejected [pair] log ref(y_l|x)
 * @param pairsDigest SHA-256 of the pairs' tokens and masks, in order
 */
public record ReferenceLogProbs(float[] chosen, float[] rejected, String pairsDigest) {
    public static final String FILE = "dpo_reference.safetensors";

    /** Forward passes only, {@code batchSize} pairs at a time. */
    public static ReferenceLogProbs compute(DecoderModel model, List<PreferencePair> pairs, int batchSize, NDManager root) {
        GradMode.disable();
        float[] chosen = new float[pairs.size()];
        float[] rejected = new float[pairs.size()];
        for (int i = 0; i < pairs.size(); i += batchSize) {
            List<PreferencePair> slice = pairs.subList(i, Math.min(i + batchSize, pairs.size()));
            try (NDManager scope = root.newSubManager()) {
                model.borrowParameters(scope);
                NDArray logProbs = DpoStep.sequenceLogProbs(model, DpoStep.stacked(slice), scope); // (2n,)
                float[] values = logProbs.toFloatArray();
                for (int j = 0; j < slice.size(); j++) {
                    chosen[i + j] = values[j];
                    rejected[i + j] = values[slice.size() + j];
                }
            }
        }
        return new ReferenceLogProbs(chosen, rejected, digest(pairs));
    }

    public DpoStep.ReferencedPair referenced(List<PreferencePair> pairs, int index) {
        return new DpoStep.ReferencedPair(pairs.get(index), chosen[index], rejected[index]);
    }

    public void save(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + directory, e);
        }
        SafetensorsFile.write(directory.resolve(FILE), List.of(
                Tensor.ofFloats("reference_chosen_logps", new long[]{chosen.length}, chosen),
                Tensor.ofFloats("reference_rejected_logps", new long[]{rejected.length}, rejected)),
                Map.of("pairs_sha256", pairsDigest));
    }

    /** The reference of a checkpoint, refused when it was computed for other pairs than {@code pairs}. */
    public static ReferenceLogProbs load(Path directory, List<PreferencePair> pairs) {
        Path file = directory.resolve(FILE);
        if (!Files.exists(file)) {
            throw new IllegalStateException(directory + " has no " + FILE + ": it is not a DPO checkpoint");
        }
        SafetensorsFile.Contents contents = SafetensorsFile.read(file);
        String stored = contents.metadata().get("pairs_sha256");
        String expected = digest(pairs);
        if (!expected.equals(stored)) {
            throw new IllegalStateException("the reference log-probabilities in " + directory
                    + " were computed for other pairs (" + stored + ", these are " + expected + ")");
        }
        return new ReferenceLogProbs(contents.tensors().get("reference_chosen_logps").toFloat32(),
                contents.tensors().get("reference_rejected_logps").toFloat32(), stored);
    }

    static String digest(List<PreferencePair> pairs) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (PreferencePair pair : pairs) {
                update(sha, pair.chosen());
                update(sha, pair.rejected());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest sha, SftExample example) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + example.length() * 9);
        buffer.putInt(example.length());
        for (int t = 0; t < example.length(); t++) {
            buffer.putLong(example.tokens()[t]);
            buffer.put((byte) (example.trained()[t] ? 1 : 0));
        }
        sha.update(buffer.array());
    }
}
