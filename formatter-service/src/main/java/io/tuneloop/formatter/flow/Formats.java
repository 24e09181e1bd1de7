package io.tuneloop.formatter.flow;

import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.model.tokenizer.TextTokenizer;

/** How records become examples: the template library in use and the spec's tokenizer. */
public interface Formats {
    /** A builder for a spec; fails with the reason when its templates or its model's tokenizer are missing. */
    DatasetBuilder builder(DatasetSpec spec);

    /** A model's tokenizer; fails with the reason when the model or its tokenizer is not stored. */
    TextTokenizer tokenizer(String model);

    /** Identifies the template library in use (recorded in every manifest). */
    String templateDigest();
}
