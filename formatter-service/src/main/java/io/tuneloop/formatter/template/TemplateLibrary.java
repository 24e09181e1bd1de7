package io.tuneloop.formatter.template;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The phrasings available to the formatter, by task family, read from YAML files (never from code):
 * the built-in library on the class path, then any folder or stored objects the operator adds; a
 * family defined again replaces the earlier definition, so users can override built-ins without a
 * rebuild.
 */
public final class TemplateLibrary {
    public static final String BUILTIN = "templates/builtin.yaml";
    public static final String ANY = "*";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    /** A YAML file: one or more families. */
    record File(List<Family> families) {
    }

    /** A task family and its phrasings, as written in YAML. */
    record Family(String family, @JsonProperty("applies_to") List<String> appliesTo, List<Entry> templates) {
    }

    record Entry(String id, boolean inverted, String jinja) {
    }

    private final Map<String, List<TaskTemplate>> byFamily;
    private final Map<String, String> familyOfTask;
    private final Map<String, TaskTemplate> byId;

    private TemplateLibrary(Map<String, Family> families) {
        Map<String, List<TaskTemplate>> templates = new TreeMap<>();
        Map<String, String> tasks = new TreeMap<>();
        Map<String, TaskTemplate> ids = new TreeMap<>();
        for (Family family : families.values()) {
            List<TaskTemplate> list = new ArrayList<>();
            for (Entry e : family.templates()) {
                TaskTemplate template = new TaskTemplate(e.id(), family.family(), e.inverted(), e.jinja());
                TemplateRenderer.compile(template); // a broken template fails the load, naming it and its line
                TaskTemplate clash = ids.put(template.id(), template);
                if (clash != null) {
                    throw new IllegalArgumentException("template id " + template.id() + " is defined in families "
                            + clash.family() + " and " + family.family());
                }
                list.add(template);
            }
            templates.put(family.family(), List.copyOf(list));
            for (String task : family.appliesTo()) {
                tasks.put(key(task), family.family());
            }
        }
        if (!tasks.containsKey(ANY)) {
            throw new IllegalArgumentException("the template library needs a family that applies to \"*\"");
        }
        this.byFamily = Map.copyOf(templates);
        this.familyOfTask = Map.copyOf(tasks);
        this.byId = Map.copyOf(ids);
    }

    /** The built-in library, with the families of {@code overrides} (YAML texts) layered on top in order. */
    public static TemplateLibrary load(Collection<String> overrides) {
        Map<String, Family> families = new LinkedHashMap<>();
        try (InputStream in = TemplateLibrary.class.getClassLoader().getResourceAsStream(BUILTIN)) {
            if (in == null) {
                throw new IllegalStateException(BUILTIN + " is missing from the class path");
            }
            add(families, YAML.readValue(in, File.class), BUILTIN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BUILTIN, e);
        }
        int n = 0;
        for (String yaml : overrides) {
            n++;
            try {
                add(families, YAML.readValue(yaml, File.class), "template file " + n);
            } catch (IOException e) {
                throw new IllegalArgumentException("template file " + n + " is not valid: " + e.getMessage(), e);
            }
        }
        return new TemplateLibrary(families);
    }

    /** The built-in library plus every {@code *.yaml}/{@code *.yml} file of {@code folder}, in name order. */
    public static List<String> readFolder(Path folder) {
        if (folder == null || !Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            List<String> texts = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted().toList()) {
                texts.add(Files.readString(file));
            }
            return texts;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read templates from " + folder, e);
        }
    }

    private static void add(Map<String, Family> families, File file, String source) {
        if (file.families() == null || file.families().isEmpty()) {
            throw new IllegalArgumentException(source + " defines no families");
        }
        for (Family family : file.families()) {
            if (family.family() == null || family.templates() == null || family.templates().isEmpty()
                    || family.appliesTo() == null || family.appliesTo().isEmpty()) {
                throw new IllegalArgumentException(source + ": a family needs a name, applies_to and templates");
            }
            families.remove(family.family()); // re-inserted last: a redefinition replaces it
            families.put(family.family(), family);
        }
    }

    /** The family for a record: by category, then task, else the generic one. */
    public String familyOf(String category, String task) {
        return Optional.ofNullable(category).map(c -> familyOfTask.get(key(c)))
                .or(() -> Optional.ofNullable(task).map(t -> familyOfTask.get(key(t))))
                .orElse(familyOfTask.get(ANY));
    }

    public List<TaskTemplate> family(String family) {
        List<TaskTemplate> templates = byFamily.get(family);
        if (templates == null) {
            throw new IllegalArgumentException("no template family " + family);
        }
        return templates;
    }

    public Optional<TaskTemplate> template(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Collection<TaskTemplate> all() {
        return byId.values();
    }

    public Map<String, List<TaskTemplate>> families() {
        return byFamily;
    }

    private static String key(String task) {
        return task.trim().toLowerCase(Locale.ROOT);
    }
}
