package io.caravan.flow;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Every raw value of every sample file under {@code samples/} (CSV cells, JSON leaves, XML text and
 * attributes, fixed-width tokens, and the e-mails, phones and VINs inside them), found without the
 * code under test. Left out: header and key names (they are schema, not data), values shorter than
 * four characters and numbers of fewer than six digits (they would match any count or port).
 */
final class SampleValues {
    private static final Pattern EMAIL = Pattern.compile("[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+");
    private static final Pattern VIN = Pattern.compile("[A-HJ-NPR-Z0-9]{17}");
    private static final Pattern PHONE = Pattern.compile("\\+?\\d[\\d /-]{6,}\\d");
    private static final Pattern XML_TEXT = Pattern.compile(">([^<>]+)<");
    private static final Pattern XML_ATTRIBUTE = Pattern.compile("=\"([^\"]*)\"");

    private SampleValues() {
    }

    static Set<String> of(Path samples) throws IOException {
        Set<String> values = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(samples)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            String text = decode(Files.readAllBytes(file)).replace("\uFEFF", "");
            String name = file.getFileName().toString().toLowerCase();
            if (name.endsWith(".csv")) {
                char delimiter = text.substring(0, text.indexOf('\n')).contains(";") ? ';' : ',';
                try (StringReader reader = new StringReader(text)) {
                    var parser = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setHeader().setSkipHeaderRecord(true)
                            .setAllowMissingColumnNames(true).get().parse(reader);
                    names.addAll(parser.getHeaderNames());
                    for (CSVRecord record : parser) {
                        record.forEach(values::add);
                    }
                }
            } else if (name.endsWith(".json")) {
                leaves(new ObjectMapper().readTree(text), values, names);
            } else if (name.endsWith(".xml")) {
                add(XML_TEXT.matcher(text), values);
                add(XML_ATTRIBUTE.matcher(text), values);
            } else {
                for (String token : text.split("\\s+")) {
                    values.add(token);
                }
                for (String segment : text.split("\\s{2,}")) {
                    values.add(segment);
                }
            }
            for (Pattern inner : List.of(EMAIL, VIN, PHONE)) {
                Matcher m = inner.matcher(text);
                while (m.find()) {
                    values.add(m.group());
                }
            }
        }
        Set<String> out = new LinkedHashSet<>();
        for (String value : values) {
            String v = value.strip();
            if (v.length() < 4 || v.matches("\\d{1,5}") || names.contains(v)) {
                continue;
            }
            out.add(v);
        }
        return out;
    }

    /** The text of every file under the given directories (to tell configuration words from data). */
    static String text(Path... roots) throws IOException {
        StringBuilder out = new StringBuilder();
        for (Path root : roots) {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                    out.append(decode(Files.readAllBytes(file))).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static void add(Matcher matcher, Set<String> values) {
        while (matcher.find()) {
            values.add(matcher.group(1));
        }
    }

    private static void leaves(JsonNode node, Set<String> values, Set<String> names) {
        if (node.isObject()) {
            node.propertyNames().forEach(names::add);
            node.values().forEach(child -> leaves(child, values, names));
        } else if (node.isArray()) {
            node.values().forEach(child -> leaves(child, values, names));
        } else if (!node.isNull()) {
            values.add(node.asString());
        }
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }
}
