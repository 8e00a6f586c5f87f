package io.caravan.deliver;

import io.caravan.connector.WarehouseTable;
import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.ledger.BatchSummary;
import io.caravan.ledger.JdbcLedger;
import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
import io.caravan.testing.TestDatabase;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A million generated rows through the writer in constant memory. Slow (tens of seconds), so it
 * runs only on request: {@code mvn -o test -Dtest=WarehouseWriterVolumeIT -Dcaravan.volume=true
 * -DargLine=-Xmx256m}. Rows are generated lazily, never held in a list, so the heap limit bounds
 * the writer, not the test.
 */
@EnabledIfSystemProperty(named = "caravan.volume", matches = "true")
class WarehouseWriterVolumeIT {
    private static final int ROWS = 1_000_000;

    @Test
    void aMillionRowsAreDeliveredAndCountedInConstantMemory() {
        // phase timings (staging, merge) for whoever runs this by hand
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(WarehouseWriter.class))
                .setLevel(ch.qos.logback.classic.Level.DEBUG);
        DataSource dataSource = TestDatabase.fresh("warehouse_volume_it");
        WarehouseWriter writer = new WarehouseWriter(dataSource, new JdbcLedger(dataSource),
                WarehouseProperties.defaults(), Clock.systemUTC());

        BatchSummary first = writer.write(generated("b-volume-1"), WarehouseTable.SALE);
        BatchSummary again = writer.write(generated("b-volume-2"), WarehouseTable.SALE);

        // every 100th row is rejected; every 250th row repeats the key of the row before it
        long rejected = ROWS / 100;
        long repeated = ROWS / 250 - ROWS / 500; // odd multiples of 250 (multiples of 500 are rejected)
        assertThat(first.rowsIn()).isEqualTo(ROWS);
        assertThat(first.rowsRejected()).isEqualTo(rejected);
        assertThat(first.rowsDuplicate()).isEqualTo(repeated);
        assertThat(first.rowsDelivered()).isEqualTo(ROWS - rejected - repeated);
        assertThat(first.warnings()).isEqualTo(ROWS / 1000);
        assertThat(again.rowsDelivered()).isZero();
        assertThat(again.rowsDuplicate()).isEqualTo(ROWS - rejected);
        assertThat(new JdbcTemplate(dataSource).queryForObject("SELECT count(*) FROM caravan.sale", Long.class))
                .isEqualTo(first.rowsDelivered());
        System.out.printf("volume: %d rows written twice, max heap %d MB%n", ROWS,
                Runtime.getRuntime().maxMemory() >> 20);
    }

    private static RecordBatch generated(String batchId) {
        Iterator<Row> rows = new Iterator<>() {
            private int n;

            @Override public boolean hasNext() {
                return n < ROWS;
            }

            @Override public Row next() {
                if (n >= ROWS) {
                    throw new NoSuchElementException();
                }
                int number = ++n;
                // rows divisible by 250 (and not rejected, i.e. not divisible by 100 => odd multiples of 250)
                // repeat the previous row's key
                int key = (number % 250 == 0 && number % 100 != 0) ? number - 1 : number;
                Map<String, Object> fields = new HashMap<>();
                fields.put("sale_id", "S-" + key);
                fields.put("dealer_id", "D-" + (key % 40));
                fields.put("sale_date", LocalDate.of(2026, 1 + key % 12, 1 + key % 28));
                fields.put("make", "Volkswagen");
                fields.put("model", "Golf\t" + (key % 17));
                fields.put("model_year", 2015 + key % 12);
                fields.put("condition", key % 3 == 0 ? "used" : "new");
                fields.put("price_amount", BigDecimal.valueOf(1_500_000 + key, 2));
                fields.put("currency", "EUR");
                fields.put("financed", key % 2 == 0);
                fields.put("subject_token", Integer.toHexString(key * 31) + "a".repeat(56));
                Row row = new Row(number, fields);
                row.recordKey(Integer.toHexString(key) + "-key");
                row.keyId("wh-1");
                if (number % 100 == 0) {
                    row.reject("vin", "invalid VIN check digit");
                }
                if (number % 1000 == 1) {
                    row.warn("email", "invalid e-mail address");
                }
                return row;
            }
        };
        return new RecordBatch(Batches.context(batchId), rows, null);
    }
}
