package io.caravan;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The line of a JSON path ({@code $.fields.vin.type}, {@code $.agreements[0].policy}) in a YAML
 * file, for the {@code validate} command's {@code file:line:} prefix. Reads the YAML's node tree
 * (positions only; no value leaves this class). Stateless.
 */
final class YamlLines {
    private static final Pattern STEP = Pattern.compile("\\.([^.\\[]+)|\\[(\\d+)]");

    private YamlLines() {
    }

    /**
     * {@code :<line>: $: not valid YAML (<problem>)} when a (multi-document) YAML file does not parse;
     * the problem as the parser names it, without the line's text.
     */
    static java.util.Optional<String> syntaxProblem(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Node ignored : new Yaml(new LoaderOptions()).composeAll(reader)) {
                // composing each document is the check
            }
            return java.util.Optional.empty();
        } catch (org.yaml.snakeyaml.error.MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            return java.util.Optional.of((line > 0 ? ":" + line : "") + ": $: not valid YAML (" + e.getProblem() + ")");
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.of(": $: not readable YAML (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The 1-based line of the deepest node of {@code path} that exists, or 0 when unknown. */
    static int lineOf(Path file, String path) {
        if (!path.startsWith("$")) {
            return 0;
        }
        Node node;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            node = new Yaml(new LoaderOptions()).compose(reader);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        if (node == null) {
            return 0;
        }
        int line = 0;
        Matcher step = STEP.matcher(path.substring(1));
        while (step.find()) {
            Node next = null;
            if (step.group(1) != null && node instanceof MappingNode map) {
                for (NodeTuple tuple : map.getValue()) {
                    if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals(step.group(1))) {
                        line = key.getStartMark().getLine() + 1;
                        next = tuple.getValueNode();
                        break;
                    }
                }
            } else if (step.group(2) != null && node instanceof SequenceNode list) {
                int index = Integer.parseInt(step.group(2));
                if (index < list.getValue().size()) {
                    next = list.getValue().get(index);
                    line = next.getStartMark().getLine() + 1;
                }
            }
            if (next == null) {
                break;
            }
            node = next;
        }
        return line;
    }
}
