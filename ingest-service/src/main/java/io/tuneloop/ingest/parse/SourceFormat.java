package io.tuneloop.ingest.parse;

/** Instruction-data formats recognised from a record's fields (REFERENCE.md names them). */
public enum SourceFormat {
    /** instruction, input, output */
    ALPACA,
    /** instruction, context, response, category */
    DOLLY,
    /** id, name, instruction, instances[{input, output}], is_classification */
    SELF_INSTRUCT,
    /** prompt, completion */
    PROMPT_COMPLETION,
    /** messages[{role, content, weight?}] */
    OPENAI_CHAT,
    /** conversations[{from, value}] */
    SHAREGPT,
    /** inputs, targets (FLAN collection exports), task_name */
    FLAN,
    /** a task file: Definition, Positive Examples, Instances[{input, output: [..]}], Categories */
    SUPER_NATURAL_INSTRUCTIONS;

    public String id() {
        return name().toLowerCase().replace('_', '-');
    }
}
