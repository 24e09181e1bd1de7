package io.tuneloop.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A key shape such as {@code ingest/{}/batches/{}.json}: builds the key of an address and parses
 * an address back from a key. A placeholder stands for one path segment's worth of text (never a
 * {@code /}); an address whose parts hold one is refused, so two addresses never share a key.
 *
 * @param <A> the address: a record of the parts, in placeholder order
 */
public final class KeyTemplate<A> {
    private final String template;
    private final List<String> literals = new ArrayList<>();
    private final Pattern pattern;
    private final Function<A, Object[]> parts;
    private final Function<String[], A> address;

    /**
     * @param template the key with {@code {}} for each part of the address
     * @param parts    an address's parts, in placeholder order
     * @param address  the address of parsed parts; throws IllegalArgumentException for parts that are no address
     */
    public KeyTemplate(String template, Function<A, Object[]> parts, Function<String[], A> address) {
        this.template = template;
        this.parts = parts;
        this.address = address;
        StringBuilder regex = new StringBuilder();
        int from = 0;
        for (int at = template.indexOf("{}"); at >= 0; at = template.indexOf("{}", from)) {
            literals.add(template.substring(from, at));
            regex.append(Pattern.quote(template.substring(from, at))).append("([^/]+)");
            from = at + 2;
        }
        literals.add(template.substring(from));
        regex.append(Pattern.quote(template.substring(from)));
        this.pattern = Pattern.compile(regex.toString());
    }

    public String template() {
        return template;
    }

    public String key(A address) {
        return prefix(parts.apply(address));
    }

    /**
     * The key up to the placeholder after {@code leading} parts (all parts: the whole key): the
     * prefix under which every address starting with those parts lives.
     */
    public String prefix(Object... leading) {
        if (leading.length >= literals.size()) {
            throw new IllegalArgumentException(template + " has " + (literals.size() - 1) + " parts, not " + leading.length);
        }
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < leading.length; i++) {
            String part = String.valueOf(leading[i]);
            if (part.isEmpty() || part.contains("/")) {
                throw new IllegalArgumentException("'" + part + "' cannot be a part of key " + template
                        + " (empty or holds a '/')");
            }
            key.append(literals.get(i)).append(part);
        }
        return key.append(literals.get(leading.length)).toString();
    }

    /** The address whose key this is, or empty when it is not a key of this shape. */
    public Optional<A> address(String key) {
        Matcher matcher = pattern.matcher(key);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        String[] values = new String[matcher.groupCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = matcher.group(i + 1);
        }
        try {
            return Optional.of(address.apply(values));
        } catch (IllegalArgumentException notAnAddress) {
            return Optional.empty();
        }
    }

    /** The same address under a longer key: a file {@code suffix} inside the folder this template names. */
    public KeyTemplate<A> then(String suffix) {
        if (suffix.contains("{}")) {
            throw new IllegalArgumentException("a suffix adds no part: " + suffix);
        }
        return new KeyTemplate<>(template + suffix, parts, address);
    }

    /** For addresses of one part. */
    public static KeyTemplate<String> named(String template) {
        return new KeyTemplate<>(template, name -> new Object[] {name}, values -> values[0]);
    }
}
