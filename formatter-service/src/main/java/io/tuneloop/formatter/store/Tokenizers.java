package io.tuneloop.formatter.store;

import io.tuneloop.formatter.config.FormatterConfig;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.store.Artifact;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.Format;
import io.tuneloop.store.ArtifactStore;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokenizers of models in the object store ({@code models/<model>/tokenizer.json} and its
 * config), copied to a local cache and loaded once per model.
 */
@ApplicationScoped
public class Tokenizers {

    private final ArtifactStore store;
    private final Path cache;
    private final Map<String, TextTokenizer> loaded = new ConcurrentHashMap<>();

    public Tokenizers(ArtifactStore store, FormatterConfig config) {
        this.store = store;
        this.cache = Path.of(config.tokenizerCache());
    }

    /** The model's tokenizer; fails with the reason when the model or its tokenizer is not stored. */
    public TextTokenizer of(String model) {
        return loaded.computeIfAbsent(model, this::load);
    }

    private TextTokenizer load(String model) {
        if (!model.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new IllegalArgumentException("invalid model name " + model);
        }
        if (!Artifacts.MODEL.file(TextTokenizer.TOKENIZER_JSON, Format.BYTES).exists(store, model)) {
            throw new IllegalArgumentException("model " + model + " has no " + TextTokenizer.TOKENIZER_JSON
                    + " under " + Artifacts.MODEL.prefix(model) + " in the object store");
        }
        try {
            Path directory = Files.createDirectories(cache.resolve(model));
            for (String name : TextTokenizer.FILES) {
                Artifact<String, byte[]> file = Artifacts.MODEL.file(name, Format.BYTES);
                if (file.exists(store, model)) {
                    try (InputStream in = file.open(store, model)) {
                        Files.copy(in, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            return TextTokenizer.load(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cache the tokenizer of " + model, e);
        }
    }

    @PreDestroy
    void close() {
        loaded.values().forEach(TextTokenizer::close);
        loaded.clear();
    }
}
