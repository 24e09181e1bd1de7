package io.tuneloop.formatter;

import io.tuneloop.formatter.config.FormatterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.dataset.EvalPrompts;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.formatter.dataset.Decontamination;
import io.tuneloop.formatter.dataset.ExampleEncoder;
import io.tuneloop.formatter.flow.Formats;
import io.tuneloop.formatter.flow.Preview;
import io.tuneloop.formatter.flow.Sealing;
import io.tuneloop.formatter.messaging.VersionPublisher;
import io.tuneloop.formatter.metrics.FormatterMeters;
import io.tuneloop.formatter.store.DatasetRepository;
import io.tuneloop.formatter.store.Tokenizers;
import io.tuneloop.formatter.template.TemplateLibraryProducer;
import io.tuneloop.model.tokenizer.TextTokenizer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The formatter's flow wired to its adapters (singletons: plain classes need no proxy). */
@ApplicationScoped
public class FormatterBeans {
    @Produces
    @Singleton
    Formats formats(TemplateLibraryProducer templates, Tokenizers tokenizers, FormatterConfig config,
                    DatasetRepository repository) {
        return new Formats() {
            @Override
            public DatasetBuilder builder(DatasetSpec spec) {
                ExampleEncoder encoder = new ExampleEncoder(spec, spec.model() == null ? null : tokenizers.of(spec.model()));
                // every suite eval scores on, the operator's included, is kept out of training data
                Decontamination evalPrompts = new Decontamination(EvalPrompts.all(repository.evalSuites()));
                return new DatasetBuilder(spec, templates.library(), encoder, config.recordsPerShard(), evalPrompts);
            }

            @Override
            public TextTokenizer tokenizer(String model) {
                return tokenizers.of(model);
            }

            @Override
            public String templateDigest() {
                return templates.digest();
            }
        };
    }

    @Produces
    @Singleton
    Sealing sealing(DatasetRepository repository, Formats formats, VersionPublisher versions, MeterRegistry meters) {
        return new Sealing(repository, formats, versions, new FormatterMeters(meters));
    }

    @Produces
    @Singleton
    Preview preview(DatasetRepository repository, Formats formats) {
        return new Preview(repository, formats);
    }
}
