package io.tuneloop.model.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a small but real tokenizer for tests and the local demo (no tokenizer can be downloaded
 * here): byte-level BPE trained on the given corpus, ChatML special tokens, a pad token distinct
 * from eos (so eos is never masked as padding), and ChatML as the model's own chat template.
 */
public final class TinyTokenizerFactory {
    public static final String BOS = "<|endoftext|>";
    public static final String PAD = "<|pad|>";
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";
    public static final List<String> SPECIAL_TOKENS = List.of(BOS, PAD, IM_START, IM_END);

    /** The ChatML template as Hugging Face models ship it. */
    public static final String CHATML_TEMPLATE = "{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyTokenizerFactory() {
    }

    /** Trains on {@code corpus} and writes tokenizer.json, tokenizer_config.json and special_tokens_map.json. */
    public static ByteLevelBpe.Trained write(Path directory, List<String> corpus, int merges, int maxLength) {
        ByteLevelBpe.Trained trained = ByteLevelBpe.train(corpus, merges, SPECIAL_TOKENS);
        ObjectNode config = JSON.createObjectNode();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("bos_token", BOS);
        config.put("eos_token", IM_END);
        config.put("pad_token", PAD);
        config.put("model_max_length", maxLength);
        config.put("add_bos_token", false);
        config.put("add_eos_token", false);
        config.put("chat_template", CHATML_TEMPLATE);
        ObjectNode specialMap = JSON.createObjectNode();
        specialMap.put("bos_token", BOS);
        specialMap.put("eos_token", IM_END);
        specialMap.put("pad_token", PAD);
        specialMap.putArray("additional_special_tokens").add(IM_START).add(IM_END);
        try {
            Files.createDirectories(directory);
            JSON.writeValue(directory.resolve(TextTokenizer.TOKENIZER_JSON).toFile(), trained.toJson());
            JSON.writerWithDefaultPrettyPrinter().writeValue(directory.resolve(TextTokenizer.TOKENIZER_CONFIG).toFile(), config);
            JSON.writerWithDefaultPrettyPrinter().writeValue(directory.resolve(TextTokenizer.SPECIAL_TOKENS_MAP).toFile(), specialMap);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tokenizer into " + directory, e);
        }
        return trained;
    }

    /**
     * Writes a SentencePiece-style tokenizer (Llama-2 / Mistral layout, see {@link SentencePieceBpe})
     * with a Llama-2-chat template and {@code add_bos_token: true}, as those models ship it.
     */
    public static void writeSentencePiece(Path directory, List<String> corpus, int merges, boolean legacy) {
        ObjectNode config = JSON.createObjectNode();
        config.put("tokenizer_class", "LlamaTokenizerFast");
        config.put("bos_token", SentencePieceBpe.BOS);
        config.put("eos_token", SentencePieceBpe.EOS);
        config.put("unk_token", SentencePieceBpe.UNK);
        config.put("add_bos_token", true);
        config.put("add_eos_token", false);
        config.put("legacy", legacy);
        config.put("chat_template", LLAMA2_TEMPLATE);
        try {
            Files.createDirectories(directory);
            JSON.writeValue(directory.resolve(TextTokenizer.TOKENIZER_JSON).toFile(),
                    SentencePieceBpe.train(corpus, merges, legacy, List.of()));
            JSON.writerWithDefaultPrettyPrinter().writeValue(directory.resolve(TextTokenizer.TOKENIZER_CONFIG).toFile(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tokenizer into " + directory, e);
        }
    }

    /** Llama-2-chat's template (system folded into the first user turn, [INST] ... [/INST]). */
    public static final String LLAMA2_TEMPLATE = "{% if messages[0]['role'] == 'system' %}"
            + "{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}"
            + "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}"
            + "{% for message in loop_messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}"
            + "{% set content = '<<SYS>>\n' + system_message + '\n<</SYS>>\n\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";
}
