package io.tuneloop.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.model.chat.ChatTemplate;
import io.tuneloop.model.chat.ChatTemplateException;
import io.tuneloop.oracles.Oracle;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat-template corpus ({@code src/test/resources/chat-templates}: templates written for these
 * tests with the constructs of the Llama-3.x, Qwen2.5/3, Mistral, Gemma, Phi, Granite, DeepSeek and
 * ChatML/Zephyr families) over conversations with system turns, several turns, tools and tool
 * results, documents, unicode and template syntax in content, with and without the generation
 * prompt: {@link ChatTemplate} must render byte-identical text to Python's jinja2 in Hugging Face's
 * environment ({@code libs/oracles/python/hf_chat_template.py}), and fail where it fails.
 */
class ChatTemplateConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NOW = "2026-07-26T10:00:00";
    /** Template variables some families read, as a caller of apply_chat_template passes them. */
    private static final Map<String, List<Map<String, Object>>> VARIANTS = new LinkedHashMap<>();

    static {
        VARIANTS.put("llama3", List.of(Map.of(), Map.of("tools_in_user_message", false,
                "builtin_tools", List.of("brave_search", "wolfram_alpha", "code_interpreter")),
                Map.of("date_string", "26 Jul 2024")));
        VARIANTS.put("qwen2_5", List.of(Map.of()));
        VARIANTS.put("qwen3", List.of(Map.of(), Map.of("enable_thinking", false)));
        VARIANTS.put("mistral", List.of(Map.of()));
        VARIANTS.put("gemma", List.of(Map.of()));
        VARIANTS.put("phi", List.of(Map.of()));
        VARIANTS.put("granite", List.of(Map.of(), Map.of("thinking", true, "controls", Map.of("hallucinations", true))));
        VARIANTS.put("deepseek", List.of(Map.of(), Map.of("thinking", false)));
        VARIANTS.put("chatml_zephyr", List.of(Map.of(), Map.of("chat_style", "chatml")));
    }

    private static final Map<String, Object> SPECIAL_TOKENS = Map.of("bos_token", "<s>", "eos_token", "</s>",
            "unk_token", "<unk>", "additional_special_tokens", List.of("<|im_start|>", "<|im_end|>"));

    private record Case(String id, String template, List<?> messages, List<?> tools, List<?> documents,
                        boolean addGenerationPrompt, Map<String, Object> kwargs) {
        /** What HF's render_jinja_template passes to template.render(): its keywords, then special tokens, then kwargs. */
        Map<String, Object> huggingFaceContext() {
            Map<String, Object> context = new LinkedHashMap<>();
            context.put("messages", messages);
            context.put("tools", tools);
            context.put("documents", documents);
            context.put("add_generation_prompt", addGenerationPrompt);
            context.putAll(SPECIAL_TOKENS);
            context.putAll(kwargs);
            return context;
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ChatTemplateConformanceTest.class.getResourceAsStream("/chat-templates/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Case> corpus() throws IOException {
        JsonNode conversations = JSON.readTree(resource("conversations.json")).get("conversations");
        List<Case> cases = new ArrayList<>();
        for (var family : VARIANTS.entrySet()) {
            String template = resource(family.getKey() + ".jinja");
            int variant = 0;
            for (Map<String, Object> extra : family.getValue()) {
                for (JsonNode conversation : conversations) {
                    Map<String, Object> c = JSON.convertValue(conversation, Map.class);
                    for (boolean prompt : new boolean[]{true, false}) {
                        Map<String, Object> kwargs = new LinkedHashMap<>(extra);
                        kwargs.putAll((Map<String, Object>) c.getOrDefault("extra", Map.of()));
                        cases.add(new Case(family.getKey() + "/" + variant + "/" + c.get("id") + "/" + prompt, template,
                                (List<?>) c.get("messages"), (List<?>) c.get("tools"), (List<?>) c.get("documents"),
                                prompt, kwargs));
                    }
                }
                variant++;
            }
        }
        return cases;
    }

    @Test
    void everyFamilyRendersExactlyAsHuggingFace() throws IOException {
        Oracle huggingFace = Oracle.python("hf_chat_template.py", "jinja2");
        List<Case> cases = corpus();
        List<Map<String, Object>> requests = new ArrayList<>();
        for (Case c : cases) {
            requests.add(Map.of("id", c.id(), "template", c.template(), "context", c.huggingFaceContext()));
        }
        JsonNode reference = huggingFace.run(Map.of("now", NOW, "cases", requests));
        Clock clock = Clock.fixed(LocalDateTime.parse(NOW).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
        List<String> differences = new ArrayList<>();
        int rendered = 0;
        int refusedAlike = 0;
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            JsonNode expected = reference.get(i);
            String actual = null;
            String error = null;
            try {
                actual = ChatTemplate.jinja(c.template(), SPECIAL_TOKENS, clock)
                        .renderValues(c.messages(), c.tools(), c.documents(), c.addGenerationPrompt(), c.kwargs());
            } catch (ChatTemplateException e) {
                error = e.reason() + ": " + e.getMessage();
            }
            if (expected.has("error")) {
                if (error == null) {
                    differences.add(c.id() + ": HF fails (" + expected.get("error").asText() + "), we rendered");
                } else {
                    refusedAlike++;
                }
            } else if (error != null) {
                differences.add(c.id() + ": HF renders, we failed: " + error);
            } else if (!expected.get("output").asText().equals(actual)) {
                differences.add(c.id() + ":\n  HF:   " + JSON.writeValueAsString(expected.get("output").asText())
                        + "\n  ours: " + JSON.writeValueAsString(actual));
            } else {
                rendered++;
            }
        }
        System.out.printf("%d cases: %d byte-identical, %d refused by both, %d differences%n", cases.size(), rendered,
                refusedAlike, differences.size());
        assertThat(rendered).as("identical renders").isGreaterThan(500);
        assertThat(differences).as("renders that differ from Hugging Face's").isEmpty();
    }
}
