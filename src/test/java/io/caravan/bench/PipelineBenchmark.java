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
import java.util.Locale;
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
 * embedded defaults in a fresh data directory, delivers the file into the partner's inbox (with the
 * {@code .ready} marker the SFTP gateway writes when an upload is complete) and waits
 * for the ledger to complete the batch: CSV parsing, harmonising, consent and suppression look-ups,
 * HMAC pseudonymisation, staging and merge into {@code caravan.sale}. Then it COPYs the same number
 * of rows (equivalent columns, random 64-character keys) into a copy of {@code caravan.sale} with
 * its primary key, and prints both rates, their ratio and the peak heap of the run.
 *
 * <p>Run: {@code mvn -Pbench test -Dbench.rows=1000000} (the profile runs it with {@code -Xmx512m}).
 */
public final class PipelineBenchmark {

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        Path work = Files.createTempDirectory("caravan-bench");
        Path export = work.resolve("verkaeufe_bench.csv");
        long bytes = DealerNordExport.write(export, rows);
        System.out.printf(Locale.ROOT, "generated %,d rows (%,.1f MB) in %s%n", rows, bytes / 1e6, export);

        ConfigurableApplicationContext app = new SpringApplication(CaravanApplication.class).run(
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
            System.gc();
            resetPeaks();
            Path inbox = work.resolve("data/sftp/dealer-nord/inbox");
            Files.createDirectories(inbox);
            long dropped = System.nanoTime();
            Files.move(export, inbox.resolve(export.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            Files.createFile(inbox.resolve(export.getFileName() + ".ready")); // as the SFTP gateway marks a complete upload
            Map<String, Object> batch = awaitBatch(jdbc, Duration.ofMinutes(30));
            double wall = (System.nanoTime() - dropped) / 1e9;
            long heapPeak = heapPeak();
            if (!"completed".equals(batch.get("status"))) {
                throw new IllegalStateException("the benchmark batch did not complete: " + batch.get("status") + " " + batch.get("error"));
            }
            double seconds = Duration.between(((Timestamp) batch.get("started_at")).toInstant(),
                    ((Timestamp) batch.get("finished_at")).toInstant()).toMillis() / 1000.0;
            long delivered = ((Number) batch.get("rows_delivered")).longValue();
            String ledger = String.format(Locale.ROOT, "%,d delivered, %,d rejected, %,d duplicate, %,d warnings",
                    delivered, ((Number) batch.get("rows_rejected")).longValue(),
                    ((Number) batch.get("rows_duplicate")).longValue(), ((Number) batch.get("warnings")).longValue());

            double copySeconds = copyBaseline(dataSource, rows);

            double pipelineRate = rows / seconds;
            double copyRate = rows / copySeconds;
            System.out.println();
            System.out.printf(Locale.ROOT, "rows                     %,d (%s)%n", rows, ledger);
            System.out.printf(Locale.ROOT, "pipeline                 %,.1f s  %,.0f rows/s  (batch start to commit; %,.1f s from drop incl. read lock)%n", seconds, pipelineRate, wall);
            System.out.printf(Locale.ROOT, "COPY into table with PK  %,.1f s  %,.0f rows/s%n", copySeconds, copyRate);
            System.out.printf(Locale.ROOT, "pipeline / COPY          %.1f %%%n", 100 * pipelineRate / copyRate);
            System.out.printf(Locale.ROOT, "peak heap                %,d MB (max heap %,d MB)%n", heapPeak >> 20, Runtime.getRuntime().maxMemory() >> 20);

            // the re-key job over the same rows: rotate the warehouse key, move every row to it
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
            System.out.printf(Locale.ROOT, "re-key (rotate + move)   %,.1f s  %,.0f rows/s  (%,d rows moved, none left; peak heap %,d MB)%n",
                    rekeySeconds, moved / rekeySeconds, moved, heapPeak() >> 20);
        } finally {
            app.close();
        }
    }

    private static Map<String, Object> awaitBatch(JdbcTemplate jdbc, Duration timeout) {
        return await("a finished batch of dealer-nord-sales").atMost(timeout).pollInterval(Duration.ofMillis(200))
                .until(() -> jdbc.queryForList("SELECT * FROM caravan.batch WHERE route_id = 'dealer-nord-sales' AND status <> 'running'"),
                        batches -> !batches.isEmpty())
                .get(0);
    }

    /** COPY of {@code rows} equivalent rows into a copy of caravan.sale with its primary key; seconds. */
    static double copyBaseline(DataSource dataSource, int rows) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            try (var s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS public.bench_copy");
                s.execute("CREATE TABLE public.bench_copy (LIKE caravan.sale INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
                s.execute("ALTER TABLE public.bench_copy ADD PRIMARY KEY (record_key)");
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

    private static void resetPeaks() {
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
