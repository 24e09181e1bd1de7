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
    SUPER_NATURAL_INSTRUCTIONS,
    /** conversations (the prompt) + chosen, rejected {from, value} (LLaMA-Factory) */
    SHAREGPT_PREFERENCE,
    /** messages (the prompt) + chosen, rejected {role, content} */
    OPENAI_CHAT_PREFERENCE,
    /** prompt, chosen, rejected as text or message lists (TRL) */
    TRL_PREFERENCE,
    /** chosen, rejected as whole conversations sharing the prompt (TRL's implicit prompt) */
    TRL_IMPLICIT_PREFERENCE,
    /** conversations whose last answer is labelled: label true or false */
    SHAREGPT_UNARY,
    /** messages whose last answer is labelled: label true or false (LLaMA-Factory's KTO files) */
    OPENAI_CHAT_UNARY,
    /** prompt, completion, label (TRL's unpaired preference) */
    TRL_UNARY;

    public String id() {
        return name().toLowerCase().replace('_', '-');
    }
}
