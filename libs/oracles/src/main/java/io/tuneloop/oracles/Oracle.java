package io.tuneloop.oracles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An independent reference implementation run as a process: a script of {@code libs/oracles}
 * reads a JSON file of cases and prints a JSON result. Where the tool is missing the test is
 * skipped, unless it is required ({@code TUNELOOP_REQUIRE_PYTHON_ORACLES=1} for python3 with jinja2
 * and numpy, {@code TUNELOOP_REQUIRE_NODE_ORACLES=1} for node with the npm packages, or
 * {@code TUNELOOP_REQUIRE_ORACLES=1} for both; {@code .ci/run} installs them and sets these), where a
 * missing oracle fails the test instead.
 */
public final class Oracle {
    public static final String REQUIRE = "TUNELOOP_REQUIRE_ORACLES";
    public static final String REQUIRE_PYTHON = "TUNELOOP_REQUIRE_PYTHON_ORACLES";
    public static final String REQUIRE_NODE = "TUNELOOP_REQUIRE_NODE_ORACLES";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> command;
    private final String description;

    private Oracle(List<String> command, String description) {
        this.command = command;
        this.description = description;
    }

    /** The repository root (Maven passes it as {@code tuneloop.repo.root}; else found from the working directory). */
    public static Path repoRoot() {
        String configured = System.getProperty("tuneloop.repo.root");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("libs/oracles"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
    }

    /**
     * A Python script of {@code libs/oracles/python} run with the machine's python3 (or
     * {@code TUNELOOP_PYTHON}), which must import {@code modules}.
     */
    public static Oracle python(String script, String... modules) {
        String python = System.getenv().getOrDefault("TUNELOOP_PYTHON", "python3");
        String imports = modules.length == 0 ? "pass" : "import " + String.join(", ", modules);
        boolean available = succeeds(List.of(python, "-c", imports));
        require(available, python + " with " + String.join(", ", modules), REQUIRE_PYTHON);
        return new Oracle(List.of(python, repoRoot().resolve("libs/oracles/python").resolve(script).toString()),
                "python " + script);
    }

    /**
     * A Node script of {@code libs/oracles/node}, with the npm packages installed in
     * {@code libs/oracles/node/node_modules} (see its package.json; {@code .ci/run} installs them).
     */
    public static Oracle node(String script, String... packages) {
        Path folder = repoRoot().resolve("libs/oracles/node");
        boolean available = succeeds(List.of("node", "--version"));
        for (String name : packages) {
            available &= Files.isDirectory(folder.resolve("node_modules").resolve(name));
        }
        require(available, "node with " + String.join(", ", packages) + " in " + folder.resolve("node_modules")
                + " (npm install --ignore-scripts --no-package-lock in " + folder + ")", REQUIRE_NODE);
        return new Oracle(List.of("node", folder.resolve(script).toString()), "node " + script);
    }

    /** Skips the calling test when {@code available} is false, or fails it where that oracle is required. */
    public static void require(boolean available, String what, String flag) {
        if (!available && ("1".equals(System.getenv(REQUIRE)) || "1".equals(System.getenv(flag)))) {
            throw new AssertionError(what + " is required (" + flag + "=1) but missing");
        }
        Assumptions.assumeTrue(available, what + " is not available here; the reference comparison is skipped");
    }

    /** Runs the script on {@code input} (serialised as JSON) and returns what it printed, parsed. */
    public JsonNode run(Object input) {
        Path cases = null;
        try {
            cases = Files.createTempFile("oracle-cases", ".json");
            JSON.writeValue(cases.toFile(), input);
            List<String> full = new ArrayList<>(command);
            full.add(cases.toString());
            Process process = new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.PIPE).start();
            byte[] out = process.getInputStream().readAllBytes();
            byte[] err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new AssertionError(description + " failed: " + new String(err, StandardCharsets.UTF_8));
            }
            return JSON.readTree(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + description, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (cases != null) {
                try {
                    Files.deleteIfExists(cases);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    private static boolean succeeds(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
