package io.caravan.flow;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Every raw personal value in the sample dealer exports, in the forms it could leak in: e-mails
 * (as written and normalised), phones (as written, digits only, E.164), VINs, first and last names,
 * street addresses. Found independently of the code under test: by header names.
 */
final class SampleIdentifiers {
    private static final Set<String> PERSONAL = Set.of("E-Mail", "Telefon", "FIN", "Vorname", "Nachname", "Straße",
            "customer_email", "customer_mobile", "vin", "customer_first_name", "customer_last_name");

    private SampleIdentifiers() {
    }

    @SafeVarargs
    static List<String> of(List<Object>... samples) throws IOException {
        Set<String> values = new LinkedHashSet<>();
        for (List<Object> sample : samples) {
            Path file = (Path) sample.get(0);
            Charset charset = (Charset) sample.get(1);
            String text = Files.readString(file, charset).replace("\uFEFF", "");
            char delimiter = text.substring(0, text.indexOf('\n')).contains(";") ? ';' : ',';
            try (Reader reader = new java.io.StringReader(text)) {
                for (CSVRecord record : CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
                    for (String column : PERSONAL) {
                        if (record.isMapped(column) && record.isSet(column)) {
                            add(values, column, record.get(column).strip());
                        }
                    }
                }
            }
        }
        return new ArrayList<>(values);
    }

    /** Whether {@code value} occurs in {@code text} as a whole word, ignoring case (so "Ines" is not found in "lines"). */
    static boolean occursIn(String value, String text) {
        return java.util.regex.Pattern.compile("(?<![\\p{L}\\p{N}])" + java.util.regex.Pattern.quote(value) + "(?![\\p{L}\\p{N}])",
                java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.UNICODE_CASE).matcher(text).find();
    }

    private static void add(Set<String> values, String column, String value) {
        if (value.length() < 4) {
            return; // too short to be identifying, and would match everywhere
        }
        values.add(value);
        if (column.equals("Telefon") || column.equals("customer_mobile")) {
            String digits = value.replaceAll("[^0-9]", "");
            values.add(digits);
            if (digits.startsWith("0")) {
                values.add("+49" + digits.substring(1));
            } else if (digits.startsWith("49")) {
                values.add("+" + digits);
            }
        }
        if (column.contains("mail")) {
            values.add(value.toLowerCase(Locale.ROOT));
        }
    }
}
