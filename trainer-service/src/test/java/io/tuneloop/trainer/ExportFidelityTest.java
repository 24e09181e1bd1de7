package io.tuneloop.trainer;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tuneloop.events.EventJson;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.safetensors.DType;
import io.tuneloop.model.safetensors.SafetensorsFile;
import io.tuneloop.model.safetensors.Tensor;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.trainer.flow.RunSpec;
import io.tuneloop.trainer.training.ShardTrainer;
import io.tuneloop.trainer.flow.TrainingData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exports keep what the user brought: a Llama-3.x-style base (llama3 rope_scaling, three eos ids,
 * bfloat16 weights, fields tuneloop does not model, a generation_config.json with its own eos list
 * and sampling defaults) goes through load, a LoRA run and the merged export, and comes out with
 * the same config.json, generation_config.json and tokenizer files; only the adapted weights change.
 */
class ExportFidelityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aLlama3StyleModelSurvivesLoadLoraRunAndMergedExportUnchangedExceptTheWeights() throws Exception {
        Path base = Files.createDirectories(dir.resolve("base"));
        TinyRuns.model(base);
        ObjectNode config;
        try (NDManager root = NDManager.newBaseManager(Device.cpu());
             DecoderModel made = Models.load(base, root, Device.cpu());
             TextTokenizer tokenizer = TextTokenizer.load(base)) {
            Models.save(made, base, DType.BF16, Long.MAX_VALUE); // the user's weights are bfloat16
            config = made.config().toJson();
            config.put("torch_dtype", "bfloat16");
            config.put("rope_theta", 500000.0);
            ObjectNode scaling = config.putObject("rope_scaling");
            scaling.put("factor", 8.0).put("low_freq_factor", 1.0).put("high_freq_factor", 4.0)
                    .put("original_max_position_embeddings", 8192).put("rope_type", "llama3");
            config.putArray("eos_token_id").add(tokenizer.eosId().orElseThrow()).add(tokenizer.bosId().orElseThrow())
                    .add(tokenizer.padId().orElseThrow());
            config.put("pretraining_tp", 1).put("transformers_version", "4.45.0").put("initializer_range", 0.02)
                    .put("use_cache", true).put("a_field_tuneloop_does_not_know", "kept");
        }
        Files.writeString(base.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        Files.writeString(base.resolve("generation_config.json"), """
                {"bos_token_id": 0, "do_sample": true, "eos_token_id": [3, 0], "temperature": 0.6, "top_p": 0.9,
                 "transformers_version": "4.45.0"}""");

        TrainingData data = new TrainingData();
        data.addShard(TinyRuns.shard(base, "train", 0, 16), 64);
        RunSpec spec = EventJson.fromBytes("""
                {"runId": "r", "baseModel": "llama3-style", "dataset": "d", "datasetVersion": 1, "mode": "lora",
                 "lora": {"rank": 4, "alpha": 8, "targets": ["q_proj", "v_proj"]}, "totalSteps": 3, "batchSize": 4,
                 "maxSeqLength": 64, "optimizer": {"learningRate": 0.01}, "shardSteps": 3, "seed": 5}""".getBytes(), RunSpec.class)
                .resolved(3, 64, List.of("q_proj", "v_proj"));
        Path checkpoint = Files.createDirectories(dir.resolve("shard-0"));
        ShardTrainer.train(spec, base, null, data, 0, 3, checkpoint, s -> { }, () -> false);
        Path merged = dir.resolve("final/merged");
        Path adapter = dir.resolve("final/adapter");
        ShardTrainer.writeFinal(spec, base, checkpoint, merged, adapter);

        assertThat(JSON.readTree(merged.resolve("config.json").toFile())).isEqualTo(config);
        for (String file : List.of("generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
            assertThat(merged.resolve(file)).as(file).hasSameBinaryContentAs(base.resolve(file));
            assertThat(adapter.resolve(file)).as(file).hasSameBinaryContentAs(base.resolve(file));
        }
        Map<String, Tensor> before = SafetensorsFile.read(base.resolve("model.safetensors")).tensors();
        Map<String, Tensor> after = SafetensorsFile.read(merged.resolve("model.safetensors")).tensors();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        for (var e : before.entrySet()) {
            Tensor exported = after.get(e.getKey());
            assertThat(exported.dtype()).as(e.getKey()).isEqualTo(DType.BF16);
            boolean adapted = e.getKey().endsWith("q_proj.weight") || e.getKey().endsWith("v_proj.weight");
            if (adapted) {
                assertThat(exported.toFloat32()).as(e.getKey()).isNotEqualTo(e.getValue().toFloat32());
            } else {
                assertThat(exported.toFloat32()).as(e.getKey() + " is untouched").containsExactly(e.getValue().toFloat32());
            }
        }
        try (NDManager root = NDManager.newBaseManager(Device.cpu());
             DecoderModel reloaded = Models.load(merged, root, Device.cpu())) {
            assertThat(reloaded.config().rope().type()).isEqualTo("llama3");
            assertThat(reloaded.config().eosTokenIds()).hasSize(3);
        }
    }
}
