package io.caravan.testing;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A synthetic monthly export of the northern dealer group (connector {@code dealer-nord-sales}),
 * of any size: ISO-8859-1, {@code ;}, decimal comma, German dates, with e-mail, phone, VIN, names
 * and addresses in every row. Every row is valid and has its own sale number ({@code HH-yyyy-nnnnnn},
 * unique for any row count), so each becomes one record of {@code caravan.sale}.
 *
 * <p>Deterministic: the same row count gives the same bytes (fixed seed). The personal data is
 * made up; it is written to the file only, never printed.
 */
public final class DealerNordExport {

    private DealerNordExport() {
    }

    /** Writes an export of {@code rows} data rows (plus the header) to {@code file}; returns its size in bytes. */
    public static long write(Path file, int rows) throws IOException {
        String[] makes = {"Volkswagen", "Audi", "Skoda", "Cupra", "SEAT"};
        String[] models = {"ID.4", "Golf", "Passat", "Q4 e-tron", "Octavia", "Enyaq", "Born", "Ibiza", "Tiguan"};
        String[] fuels = {"Elektro", "Benzin", "Diesel", "Plug-in-Hybrid", "Hybrid", "Super"};
        String[] firstNames = {"Jürgen", "Anna", "Lukas", "Sophie", "Björn", "Käthe", "Özgür", "Sören"};
        String[] lastNames = {"Müller", "Schröder", "Weiß", "Groß", "Köhler", "Bäcker", "Jäger", "Voß"};
        String alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
        SplittableRandom random = new SplittableRandom(42);
        try (BufferedWriter out = Files.newBufferedWriter(file, Charset.forName("ISO-8859-1"))) {
            out.write("Verkaufsnr;Filiale;Verkaufsdatum;Marke;Modell;Modelljahr;Kraftstoff;Zustand;Preis;Währung;Finanziert;FIN;Vorname;Nachname;Straße;PLZ;Ort;E-Mail;Telefon;Geburtsdatum;Verkäufer;Bemerkung\r\n");
            StringBuilder line = new StringBuilder(256);
            for (int i = 1; i <= rows; i++) {
                line.setLength(0);
                StringBuilder vin = new StringBuilder("WVWZZZ");
                for (int k = 0; k < 11; k++) {
                    vin.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                String first = firstNames[random.nextInt(firstNames.length)];
                String last = lastNames[random.nextInt(lastNames.length)];
                // sale numbers in the dealer's own format (HH-yyyy-nnnnnn): unique for any row count
                line.append(String.format(Locale.ROOT, "HH-%04d-%06d", 2026 + i / 1_000_000, i % 1_000_000)).append(";Hamburg;")
                        // sales of the past year: a sale dated in the future would (rightly) fail the date gate
                        .append(String.format(Locale.ROOT, "%02d.%02d.2025", 1 + random.nextInt(28), 1 + random.nextInt(12))).append(';')
                        .append(makes[random.nextInt(makes.length)]).append(';').append(models[random.nextInt(models.length)]).append(';')
                        .append(2025 + random.nextInt(2)).append(';').append(fuels[random.nextInt(fuels.length)]).append(';')
                        .append(random.nextBoolean() ? "Neuwagen" : "Gebraucht").append(';')
                        .append(18 + random.nextInt(50)).append('.').append(100 + random.nextInt(900)).append(",00;EUR;")
                        .append(random.nextBoolean() ? "ja" : "nein").append(';').append(vin).append(';')
                        .append(first).append(';').append(last).append(";Lindenstraße ").append(1 + random.nextInt(120)).append(';')
                        .append(20000 + random.nextInt(5000)).append(";Hamburg;")
                        .append("kunde").append(i).append("@example.com;")
                        .append("030 2312").append(String.format(Locale.ROOT, "%04d", random.nextInt(10000))).append(';')
                        .append(String.format(Locale.ROOT, "%02d.%02d.%d", 1 + random.nextInt(28), 1 + random.nextInt(12), 1950 + random.nextInt(55)))
                        .append(";K. Meier;Kunde wünscht Rückruf\r\n");
                out.append(line);
            }
        }
        return Files.size(file);
    }
}
