package io.caravan.bench;

import static org.awaitility.Awaitility.await;

import io.caravan.CaravanApplication;
import io.caravan.privacy.Rekeyer;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.testing.DealerNordExport;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.Map;
import java.util.SplittableRandom;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Throughput and memory of the real pipeline, against PostgreSQL's own COPY as the yardstick.
 *
 * <p>Generates an N-row export in the northern dealer group's layout ({@link DealerNordExport}:
 * ISO-8859-1, {@code ;}, decimal comma, German dates, e-mail, phone, VIN, names and addresses), starts Caravan on the
 * embedded defaults in a fresh data directory and then, {@code bench.runs} times (default 5), interleaved: empties
 * {@code caravan.sale}, delivers the file into the partner's inbox (with the {@code .ready} marker the SFTP gateway
 * writes when an upload is complete) and waits for the ledger to complete the batch (gate pre-pass, CSV parsing,
 * harmonising, consent and suppression look-ups, HMAC pseudonymisation, identity seal, staging and merge into
 * {@code caravan.sale}); checks that every row was delivered and the table holds exactly the batch's rows; then COPYs
 * the same number of equivalent rows (random 64-character keys) into a copy of {@code caravan.sale} with its primary
 * key only (the yardstick) and into one with all its indexes (the single-connection limit). It prints each run, the
 * medians, peak heap, heap after GC and process RSS; then re-delivers the unchanged file and checks that every row is
 * a duplicate and none was written. {@code bench.baselines=false} skips the COPYs, {@code bench.redeliver=false} the
 * re-delivery, {@code bench.rekey=true} also times the re-key job.
 *
 * <p>Run: {@code mvn -Pbench test -Dbench.rows=1000000} (the profile runs it with {@code -Xmx512m}, or
 * {@code -Dbench.xmx=256m}).
 */
public final class PipelineBenchmark {
    private static final String ROUTE = "dealer-nord-sales";

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        int runs = Integer.getInteger("bench.runs", 5);
        boolean baselines = Boolean.parseBoolean(System.getProperty("bench.baselines", "true"));
        boolean redeliver = Boolean.parseBoolean(System.getProperty("bench.redeliver", "true"));
        boolean rekey = Boolean.parseBoolean(System.getProperty("bench.rekey", "false"));
        Path work = Files.createTempDirectory("caravan-bench");
        Path export = work.resolve("verkaeufe_bench.csv");
        long bytes = DealerNordExport.write(export, rows);
        System.out.printf(Locale.ROOT, "generated %,d rows (%,.1f MB) in %s%n", rows, bytes / 1e6, export);

        // the dealer's descriptor allows files up to 512 MB; a larger benchmark file gets a copy of the
        // descriptors with that one limit raised (nothing else differs)
        Path connectors = Path.of("connectors");
        if (bytes > 512L * 1024 * 1024) {
            connectors = work.resolve("connectors");
            Path source = Path.of("connectors");
            try (var files = Files.walk(source)) {
                for (Path file : files.toList()) {
                    Path target = connectors.resolve(source.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(file, target);
                    }
                }
            }
            Files.writeString(connectors.resolve("dealer/dealer-nord-sales.yaml"),
                    "limits:\n  maxFileBytes: " + 2 * bytes + "\n", java.nio.file.StandardOpenOption.APPEND);
        }

        ConfigurableApplicationContext app = new SpringApplication(CaravanApplication.class).run(
                "--caravan.connectors-dir=" + connectors.toAbsolutePath(),
                "--caravan.data-dir=" + work.resolve("data"),
                "--caravan.samples.seed=false",
                "--caravan.sftp.gateway.enabled=false",
                "--caravan.embedded.postgres-port=0",
                "--server.port=0",
                "--logging.level.root=WARN",
                "--logging.level.io.caravan.batch=INFO");
        try {
            DataSource dataSource = app.getBean(DataSource.class);
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            Path inbox = work.resolve("data/sftp/dealer-nord/inbox");
            Files.createDirectories(inbox);
            List<double[]> pairs = new ArrayList<>(); // pipeline s, COPY-PK s, COPY all indexes s
            Run last = null;
            long maxHeap = 0;
            long maxLive = 0;
            for (int run = 1; run <= runs; run++) {
                jdbc.execute("TRUNCATE caravan.sale"); // every run is a first delivery into an empty table
                last = deliver(jdbc, export, inbox, "verkaeufe_bench_" + run + ".csv", rows);
                checkFirstDelivery(jdbc, last, rows);
                maxHeap = Math.max(maxHeap, last.heapPeak >> 20);
                maxLive = Math.max(maxLive, last.livePeak >> 20);
                double copyPk = baselines ? copyBaseline(dataSource, rows, false) : Double.NaN;
                double copyAll = baselines ? copyBaseline(dataSource, rows, true) : Double.NaN;
                pairs.add(new double[] {last.seconds, copyPk, copyAll});
                System.out.printf(Locale.ROOT, "run %d  pipeline %,.1f s %,.0f rows/s (%,.1f s from drop) | COPY-PK %,.1f s %,.0f rows/s"
                                + " | pipeline/COPY-PK %.1f %% | COPY all indexes %,.1f s = %.1f %% of COPY-PK | peak heap %,d MB (after GC %,d MB), RSS peak %,d MB%n",
                        run, last.seconds, rows / last.seconds, last.wall, copyPk, rows / copyPk, 100 * copyPk / last.seconds,
                        copyAll, 100 * copyPk / copyAll, last.heapPeak >> 20, last.livePeak >> 20, rssPeakKb() >> 10);
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "rows                         %,d per run, %d runs, every row delivered, ledger exact%n", rows, runs);
            System.out.printf(Locale.ROOT, "pipeline / COPY-PK median    %.1f %%  (runs: %s)%n", median(pairs, 1, 0),
                    list(pairs, p -> 100 * p[1] / p[0]));
            System.out.printf(Locale.ROOT, "COPY all indexes / COPY-PK   %.1f %%  (the single-connection limit)%n", median(pairs, 1, 2));
            System.out.printf(Locale.ROOT, "pipeline median              %,.0f rows/s; COPY-PK median %,.0f rows/s%n",
                    rows / medianOf(pairs, 0), rows / medianOf(pairs, 1));
            System.out.printf(Locale.ROOT, "peak heap                    %,d MB of max %,d MB (largest after a GC: %,d MB); process RSS peak %,d MB (VmHWM)%n",
                    pairs.size() == 0 ? 0 : maxHeap, Runtime.getRuntime().maxMemory() >> 20, maxLive, rssPeakKb() >> 10);

            if (redeliver) {
                // the same unchanged file again: every row a duplicate, nothing written
                Run again = deliver(jdbc, export, inbox, "verkaeufe_bench_again.csv", rows);
                Map<String, Object> b = again.batch;
                if (count(b, "rows_duplicate") != rows || count(b, "rows_delivered") != 0 || count(b, "rows_in") != rows) {
                    throw new IllegalStateException("re-delivery: expected " + rows + " duplicates, ledger says " + ledger(b));
                }
                System.out.printf(Locale.ROOT, "re-delivery (all duplicate)  %,.1f s  %,.0f rows/s = %.1f %% of the first delivery's rate (%s)%n",
                        again.seconds, rows / again.seconds, 100 * last.seconds / again.seconds, ledger(b));
            }

            if (rekey) {
                // the re-key job over the same rows: rotate the warehouse key, move every row to it
                long delivered = rows;
                app.getBean(KeyRing.class).rotate(KeyRing.WAREHOUSE);
                System.gc();
                resetPeaks();
                long rekeyStart = System.nanoTime();
                Rekeyer.Result rekeyed = app.getBean(Rekeyer.class).rekey(KeyRing.WAREHOUSE, "system:benchmark");
                double rekeySeconds = (System.nanoTime() - rekeyStart) / 1e9;
                long moved = rekeyed.moved().getOrDefault("sale", 0L);
                if (moved != delivered || !rekeyed.left().isEmpty()) {
                    throw new IllegalStateException("the re-key moved " + moved + " of " + delivered + " rows; left " + rekeyed.left());
                }
                System.out.printf(Locale.ROOT, "re-key (rotate + move)       %,.1f s  %,.0f rows/s  (%,d rows moved, none left; peak heap %,d MB)%n",
                        rekeySeconds, moved / rekeySeconds, moved, heapPeak() >> 20);
            }
        } finally {
            app.close();
        }
    }

    /** One delivery of the export under {@code name}: its ledger row, seconds (batch start to commit) and peak heap. */
    private record Run(Map<String, Object> batch, double seconds, double wall, long heapPeak, long livePeak) {
    }

    private static Run deliver(JdbcTemplate jdbc, Path export, Path inbox, String name, int rows) throws Exception {
        Path staged = export.resolveSibling(name);
        Files.copy(export, staged, StandardCopyOption.REPLACE_EXISTING);
        Set<String> before = Set.copyOf(jdbc.queryForList("SELECT batch_id FROM caravan.batch WHERE route_id = ?", String.class, ROUTE));
        System.gc();
        resetPeaks();
        long dropped = System.nanoTime();
        Files.move(staged, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        Files.createFile(inbox.resolve(name + ".ready")); // as the SFTP gateway marks a complete upload
        Map<String, Object> batch = await("a finished batch of " + ROUTE).atMost(Duration.ofMinutes(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> jdbc.queryForList("SELECT * FROM caravan.batch WHERE route_id = ? AND status <> 'running'", ROUTE).stream()
                        .filter(b -> !before.contains((String) b.get("batch_id"))).findFirst(), Optional::isPresent)
                .orElseThrow();
        double wall = (System.nanoTime() - dropped) / 1e9;
        long heapPeak = heapPeak();
        long livePeak = LIVE_PEAK.get();
        if (!"completed".equals(batch.get("status"))) {
            throw new IllegalStateException("the benchmark batch did not complete: " + batch.get("status") + " " + batch.get("error"));
        }
        if (count(batch, "rows_in") != rows) {
            throw new IllegalStateException("the ledger counts " + count(batch, "rows_in") + " rows in, the file has " + rows);
        }
        double seconds = Duration.between(((Timestamp) batch.get("started_at")).toInstant(),
                ((Timestamp) batch.get("finished_at")).toInstant()).toMillis() / 1000.0;
        return new Run(batch, seconds, wall, heapPeak, livePeak);
    }

    /** Every row delivered, and the table holds exactly the batch's rows. */
    private static void checkFirstDelivery(JdbcTemplate jdbc, Run run, int rows) {
        Map<String, Object> b = run.batch;
        long stored = jdbc.queryForObject("SELECT count(*) FROM caravan.sale WHERE batch_id = ?", Long.class, b.get("batch_id"));
        long all = jdbc.queryForObject("SELECT count(*) FROM caravan.sale", Long.class);
        if (count(b, "rows_delivered") != rows || count(b, "rows_rejected") != 0 || count(b, "rows_duplicate") != 0
                || count(b, "rows_consent_filtered") != 0 || count(b, "rows_suppressed") != 0 || stored != rows || all != rows) {
            throw new IllegalStateException("ledger not exact: " + ledger(b) + "; caravan.sale holds " + stored + " of the batch, " + all + " in all");
        }
    }

    private static long count(Map<String, Object> batch, String column) {
        return ((Number) batch.get(column)).longValue();
    }

    private static String ledger(Map<String, Object> b) {
        return String.format(Locale.ROOT, "%,d in: %,d delivered, %,d rejected, %,d consent-filtered, %,d suppressed, %,d duplicate, %,d warnings",
                count(b, "rows_in"), count(b, "rows_delivered"), count(b, "rows_rejected"), count(b, "rows_consent_filtered"),
                count(b, "rows_suppressed"), count(b, "rows_duplicate"), count(b, "warnings"));
    }

    /** Median over the runs of {@code 100 * p[numerator] / p[denominator]} (seconds, so the rate ratio). */
    private static double median(List<double[]> pairs, int numerator, int denominator) {
        return medianOf(pairs.stream().map(p -> new double[] {100 * p[numerator] / p[denominator]}).toList(), 0);
    }

    private static double medianOf(List<double[]> values, int index) {
        double[] sorted = values.stream().mapToDouble(p -> p[index]).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String list(List<double[]> pairs, java.util.function.ToDoubleFunction<double[]> f) {
        return pairs.stream().map(p -> String.format(Locale.ROOT, "%.1f %%", f.applyAsDouble(p))).collect(Collectors.joining(", "));
    }

    /** The process's peak resident set (VmHWM of /proc/self/status), kB; 0 where there is no /proc. */
    private static long rssPeakKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return 0;
    }

    /**
     * COPY of {@code rows} equivalent rows into a copy of caravan.sale with its primary key only, or
     * with all its indexes ({@code allIndexes}); seconds.
     */
    static double copyBaseline(DataSource dataSource, int rows, boolean allIndexes) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            try (var s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS public.bench_copy");
                if (allIndexes) {
                    s.execute("CREATE TABLE public.bench_copy (LIKE caravan.sale INCLUDING ALL)");
                } else {
                    s.execute("CREATE TABLE public.bench_copy (LIKE caravan.sale INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
                    s.execute("ALTER TABLE public.bench_copy ADD PRIMARY KEY (record_key)");
                }
            }
            long start = System.nanoTime();
            long copied = c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY public.bench_copy (record_key, connector_id, partner_id, data_class, batch_id, ingested_at, policy_id, key_id,"
                            + " sale_id, dealer_id, sale_date, make, model, model_year, fuel_type, condition, price_amount, currency,"
                            + " financed, vin_token, wmi, subject_token, email_token, phone_token, postcode_area, birth_year) FROM STDIN",
                    new CopyRows(rows));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (copied != rows) {
                throw new IllegalStateException("COPY wrote " + copied + " rows, expected " + rows);
            }
            try (var s = c.createStatement()) {
                s.execute("DROP TABLE public.bench_copy");
            }
            return seconds;
        }
    }

    /** Generates COPY text rows on the fly, so the baseline does not pay for disk either. */
    private static final class CopyRows extends Reader {
        private final int rows;
        private final SplittableRandom random = new SplittableRandom(7);
        private final StringBuilder buffer = new StringBuilder(1024);
        private int produced;
        private int position;

        CopyRows(int rows) {
            this.rows = rows;
        }

        @Override
        public int read(char[] target, int offset, int length) {
            if (position == buffer.length()) {
                if (produced == rows) {
                    return -1;
                }
                buffer.setLength(0);
                position = 0;
                produced++;
                buffer.append(hex()).append("\tdealer-nord-sales\tdealer-nord\tfirst_party\tb-bench\t2026-11-23 00:00:00+00\twarehouse\twarehouse-k1\t")
                        .append("HH-2026-").append(100000 + produced).append("\tdealer-nord\t2026-10-")
                        .append(String.format(Locale.ROOT, "%02d", 1 + random.nextInt(28)))
                        .append("\tVolkswagen\tGolf\t2026\tbev\tnew\t41234.50\tEUR\tt\t").append(hex()).append("\tWVW\t")
                        .append(hex()).append('\t').append(hex()).append('\t').append(hex()).append("\t20\t1970\n");
            }
            int n = Math.min(length, buffer.length() - position);
            buffer.getChars(position, position + n, target, offset);
            position += n;
            return n;
        }

        private String hex() {
            return String.format(Locale.ROOT, "%016x%016x%016x%016x", random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
        }

        @Override
        public void close() {
        }
    }

    /** Largest heap left after a collection (the live set) since the last {@link #resetPeaks()}, polled. */
    private static final java.util.concurrent.atomic.AtomicLong LIVE_PEAK = new java.util.concurrent.atomic.AtomicLong();

    static {
        Thread sampler = new Thread(() -> {
            while (true) {
                long live = 0;
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                        live += pool.getCollectionUsage().getUsed();
                    }
                }
                LIVE_PEAK.accumulateAndGet(live, Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-live-heap");
        sampler.setDaemon(true);
        sampler.start();
    }

    private static void resetPeaks() {
        LIVE_PEAK.set(0);
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long heapPeak() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}
