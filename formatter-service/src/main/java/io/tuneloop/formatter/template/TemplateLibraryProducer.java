package io.tuneloop.formatter.template;

import io.tuneloop.formatter.config.FormatterConfig;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.Sha256;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The template library in use: built-in families, then the configured folder, then objects under
 * {@code templates/} in the bucket. Reloaded on demand ({@link #reload}) so that templates added to
 * the store take effect without a restart; each version records the digest of the library it used.
 */
@ApplicationScoped
public class TemplateLibraryProducer {
    private static final Logger LOG = Logger.getLogger(TemplateLibraryProducer.class);

    private final ArtifactStore store;
    private final FormatterConfig config;
    private volatile TemplateLibrary library;
    private volatile String digest;

    public TemplateLibraryProducer(ArtifactStore store, FormatterConfig config) {
        this.store = store;
        this.config = config;
    }

    public synchronized TemplateLibrary library() {
        if (library == null) {
            reload();
        }
        return library;
    }

    public String digest() {
        library();
        return digest;
    }

    /** Reads the library again; a broken file fails with its reason and leaves the previous one in use. */
    public synchronized TemplateLibrary reload() {
        List<String> texts = new ArrayList<>(TemplateLibrary.readFolder(config.templatesDir().map(Path::of).orElse(null)));
        List<String> ignored = new ArrayList<>(Artifacts.TEMPLATES.strays(store));
        for (String file : Artifacts.TEMPLATES.list(store)) {
            if (file.endsWith(".yaml") || file.endsWith(".yml")) {
                texts.add(new String(Artifacts.TEMPLATES.read(store, file), StandardCharsets.UTF_8));
            } else {
                ignored.add(Artifacts.TEMPLATES.key(file));
            }
        }
        if (!ignored.isEmpty()) {
            LOG.warnf("not template families, ignored (families are *.yaml or *.yml directly under templates/): %s",
                    ignored);
        }
        TemplateLibrary loaded = TemplateLibrary.load(texts);
        StringBuilder all = new StringBuilder();
        loaded.all().stream().sorted(java.util.Comparator.comparing(TaskTemplate::id))
                .forEach(t -> all.append(t.id()).append('\u0001').append(t.jinja()).append('\u0002'));
        library = loaded;
        digest = Sha256.hex(all.toString().getBytes(StandardCharsets.UTF_8));
        LOG.infof("template library: %d families, %d templates (%d extra files), digest %s", loaded.families().size(),
                loaded.all().size(), texts.size(), digest.substring(0, 12));
        return loaded;
    }
}
