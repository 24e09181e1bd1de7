package io.tuneloop.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.Ops;
import io.tuneloop.oracles.Oracle;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * RoPE for every rope type and both config layouts, against an independent numpy implementation of
 * transformers' formulas ({@code libs/oracles/python/rope_reference.py}): the inverse frequencies and
 * attention scaling {@link io.tuneloop.model.hf.Rope} computes from config.json, and the cos/sin the
 * model applies.
 */
class RopeReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Integer> POSITIONS = List.of(0, 1, 7, 100, 1000, 4095);

    /** Config.json fragments, as the models ship them (Llama-3.x values are the published ones). */
    static Map<String, String> configs() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("default-llama2", """
                {"hidden_size": 4096, "num_attention_heads": 32, "max_position_embeddings": 4096, "rope_theta": 10000.0}""");
        c.put("llama3.2-1b", """
                {"hidden_size": 2048, "num_attention_heads": 32, "head_dim": 64, "max_position_embeddings": 131072,
                 "rope_theta": 500000.0, "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                 "original_max_position_embeddings": 8192, "rope_type": "llama3"}}""");
        c.put("llama3.1-8b", """
                {"hidden_size": 4096, "num_attention_heads": 32, "max_position_embeddings": 131072, "rope_theta": 500000.0,
                 "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                 "original_max_position_embeddings": 8192, "rope_type": "llama3"}}""");
        c.put("llama3.2-transformers5", """
                {"hidden_size": 2048, "num_attention_heads": 32, "head_dim": 64, "max_position_embeddings": 131072,
                 "rope_parameters": {"rope_theta": 500000.0, "factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                 "original_max_position_embeddings": 8192, "rope_type": "llama3"}}""");
        c.put("linear-legacy-type", """
                {"hidden_size": 2048, "num_attention_heads": 16, "max_position_embeddings": 4096, "rope_theta": 10000.0,
                 "rope_scaling": {"type": "linear", "factor": 2.0}}""");
        c.put("dynamic", """
                {"hidden_size": 1024, "num_attention_heads": 16, "max_position_embeddings": 2048, "rope_theta": 10000.0,
                 "rope_scaling": {"rope_type": "dynamic", "factor": 4.0}}""");
        c.put("yarn-qwen2.5", """
                {"hidden_size": 3584, "num_attention_heads": 28, "max_position_embeddings": 32768, "rope_theta": 1000000.0,
                 "rope_scaling": {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}}""");
        c.put("yarn-mscale", """
                {"hidden_size": 1024, "num_attention_heads": 8, "max_position_embeddings": 16384, "rope_theta": 10000.0,
                 "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096,
                 "mscale": 0.707, "mscale_all_dim": 1.0, "beta_fast": 32, "beta_slow": 1}}""");
        c.put("transformers5-theta-only", """
                {"hidden_size": 1024, "num_attention_heads": 8, "max_position_embeddings": 8192,
                 "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0}}""");
        return c;
    }

    @Test
    void everyRopeTypeMatchesTheNumpyReference() throws Exception {
        Oracle numpy = Oracle.python("rope_reference.py", "numpy");
        Map<String, String> configs = configs();
        List<Map<String, Object>> cases = new ArrayList<>();
        List<Integer> seqLengths = new ArrayList<>();
        for (var e : configs.entrySet()) {
            // dynamic scaling only changes beyond max_position_embeddings: probe it there
            int seqLength = e.getKey().equals("dynamic") ? 6000 : 4096;
            seqLengths.add(seqLength);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", e.getKey());
            c.put("config", JSON.readValue(e.getValue(), Map.class));
            c.put("seq_len", seqLength);
            c.put("positions", POSITIONS);
            cases.add(c);
        }
        JsonNode reference = numpy.run(Map.of("cases", cases));
        int i = 0;
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            for (var e : configs.entrySet()) {
                JsonNode expected = reference.get(i);
                assertThat(expected.has("error")).as(e.getKey() + ": " + expected).isFalse();
                ModelConfig config = ModelConfig.fromJson(llama(e.getValue()));
                int dim = config.headSize();
                double[] inv = config.rope().inverseFrequencies(dim, seqLengths.get(i));
                assertThat(inv).as(e.getKey()).hasSize(expected.get("inv_freq").size());
                for (int j = 0; j < inv.length; j++) {
                    double want = expected.get("inv_freq").get(j).asDouble();
                    assertThat(inv[j]).as(e.getKey() + " inv_freq[" + j + "]").isCloseTo(want, within(Math.abs(want) * 1e-12));
                }
                assertThat(config.rope().attentionScaling()).as(e.getKey())
                        .isCloseTo(expected.get("attention_scaling").asDouble(), within(1e-12));

                // the angles the model applies: float32, as HF computes them
                long[] positions = POSITIONS.stream().mapToLong(Integer::longValue).toArray();
                NDArray[] cs = Ops.rotaryAngles(m.create(positions, new Shape(1, positions.length)), inv,
                        config.rope().attentionScaling(), DataType.FLOAT32);
                float[] cos = cs[0].toFloatArray();
                float[] sin = cs[1].toFloatArray();
                for (int p = 0; p < positions.length; p++) {
                    // float32 angles lose ~position * 6e-8 radians, as in HF: tolerance grows with the position
                    double tolerance = 2e-6 + positions[p] * 2e-7;
                    for (int d = 0; d < dim; d++) {
                        assertThat((double) cos[p * dim + d]).as(e.getKey() + " cos[" + positions[p] + "][" + d + "]")
                                .isCloseTo(expected.get("cos").get(p).get(d).asDouble(), within(tolerance));
                        assertThat((double) sin[p * dim + d])
                                .isCloseTo(expected.get("sin").get(p).get(d).asDouble(), within(tolerance));
                    }
                }
                i++;
            }
        }
        // the measurement: Llama-3.2-1B's llama3 scaling changes 17 of its 32 frequency pairs
        assertThat(reference.get(1).get("changed_pairs").asInt()).isEqualTo(17);
    }

    /** A complete Llama config around a rope fragment. */
    static JsonNode llama(String fragment) throws Exception {
        ObjectNodeBuilder b = new ObjectNodeBuilder(JSON.readTree(fragment));
        return b.with("model_type", "llama").with("vocab_size", 128).with("num_hidden_layers", 1)
                .with("intermediate_size", 64).node;
    }

    private static final class ObjectNodeBuilder {
        final com.fasterxml.jackson.databind.node.ObjectNode node;

        ObjectNodeBuilder(JsonNode fragment) {
            this.node = (com.fasterxml.jackson.databind.node.ObjectNode) fragment.deepCopy();
        }

        ObjectNodeBuilder with(String key, Object value) {
            node.set(key, JSON.valueToTree(value));
            return this;
        }
    }
}
