package io.caravan.calendar;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.ledger.JdbcLedger;
import io.caravan.ledger.Ledger;
import io.caravan.pipeline.BatchContext;
import io.caravan.testing.MutableClock;
import io.caravan.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** The calendar and the monitor against a real PostgreSQL and the real ledger, with a clock the test moves. */
class DeliveryMonitorIT {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final HolidayCalendars HOLIDAYS = HolidayCalendars.load(Path.of("config/holidays.yaml"));
    private static final String FLOW = "dealer-x-sales";

    private DataSource db;
    private Ledger ledger;
    private MutableClock clock;
    private SimpleMeterRegistry meters;
    private DeliveryCalendar calendar;
    private DeliveryMonitor monitor;
    private final List<String> told = new ArrayList<>();

    @BeforeEach
    void start() {
        db = TestDatabase.fresh("delivery_monitor_it");
        ledger = new JdbcLedger(db);
        clock = new MutableClock(berlin("2026-11-01T00:00"));
        meters = new SimpleMeterRegistry();
        DeliveryPlan monthly = new DeliveryPlan("dealer-x", FLOW, null, LocalDate.of(2026, 11, 1), BERLIN, "de-public",
                HOLIDAYS.dates("de-public"), new DeliverySchedule.Monthly(3, null, LocalTime.of(6, 0)));
        calendar = new DeliveryCalendar(new DeliveryPlans(List.of(monthly), java.util.Map.of("dealer-x", "Dealer X")), db, clock);
        monitor = new DeliveryMonitor(calendar, db, meters, Duration.ofDays(40));
        monitor.addListener(c -> told.add(c.delivery().outcome().label() + (c.previous() == null ? "" : " after " + c.previous().label())
                + (c.missed() > 1 ? " x" + c.missed() + " since " + c.firstDeadline() : "")));
    }

    private static Instant berlin(String local) {
        return LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }

    private String batch(String startedLocal, boolean failed) {
        String id = "b-" + UUID.randomUUID();
        ledger.open(new BatchContext(id, FLOW, "dealer-x-sales", "dealer-x", "first_party", "export.csv", berlin(startedLocal)));
        if (failed) {
            ledger.fail(id, "broken");
        }
        return id;
    }

    @Test
    void aMonthlyFileThatDoesNotComeTurnsMissingAtTheDeadlineAndLateWhenItArrives() {
        // November 2026: Mon 2, Tue 3, Wed 4 -> due Wed 4th 06:00 Berlin
        clock.set(berlin("2026-11-04T05:59"));
        assertThat(monitor.evaluate()).isEmpty();
        assertThat(calendar.deliveries("dealer-x", berlin("2026-11-01T00:00"), berlin("2026-12-01T00:00")))
                .singleElement().satisfies(d -> assertThat(d.outcome()).isEqualTo(Delivery.Outcome.PENDING));

        clock.set(berlin("2026-11-04T06:00"));
        assertThat(monitor.evaluate()).singleElement().satisfies(d -> {
            assertThat(d.outcome()).isEqualTo(Delivery.Outcome.MISSING);
            assertThat(d.deadline()).isEqualTo(berlin("2026-11-04T06:00"));
        });
        clock.advance(Duration.ofMinutes(5));
        assertThat(monitor.evaluate()).as("told once").isEmpty();

        String late = batch("2026-11-04T08:30", false);
        clock.set(berlin("2026-11-04T09:00"));
        assertThat(monitor.evaluate()).singleElement().satisfies(d -> {
            assertThat(d.outcome()).isEqualTo(Delivery.Outcome.LATE);
            assertThat(d.batchId()).isEqualTo(late);
            assertThat(d.latenessSeconds()).isEqualTo(150 * 60);
        });
        assertThat(told).containsExactly("missing", "late after missing");
        assertThat(new JdbcTemplate(db).queryForObject("SELECT outcome FROM caravan.delivery WHERE flow = ?", String.class, FLOW))
                .isEqualTo("late");
        assertThat(meters.get("caravan.deliveries").tags("partner", "dealer-x", "outcome", "missing").counter().count()).isEqualTo(1);
        assertThat(meters.get("caravan.deliveries").tags("partner", "dealer-x", "outcome", "late").counter().count()).isEqualTo(1);
        assertThat(meters.get("caravan.delivery.lateness").timer().totalTime(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(9000);
    }

    @Test
    void aFileBeforeTheDeadlineIsOnTimeAndAFailedBatchIsNotADelivery() {
        batch("2026-11-02T10:00", true);
        String onTime = batch("2026-11-03T23:00", false);
        batch("2026-11-20T10:00", false); // a second file in the same month changes nothing
        clock.set(berlin("2026-12-10T00:00"));
        assertThat(monitor.evaluate()).extracting(Delivery::outcome)
                .containsExactly(Delivery.Outcome.ON_TIME, Delivery.Outcome.MISSING);
        List<Delivery> both = calendar.deliveries(null, berlin("2026-11-01T00:00"), berlin("2026-12-31T00:00"));
        assertThat(both).extracting(Delivery::batchId).containsExactly(onTime, null);
        assertThat(both.get(1).deadline()).isEqualTo(berlin("2026-12-03T06:00"));
        assertThat(meters.get("caravan.deliveries").tags("outcome", "on_time").counter().count()).isEqualTo(1);
        assertThat(told).containsExactly("on_time", "missing");
    }

    @Test
    void missingDeliveriesFoundTogetherAreToldOnceWithTheirCount() {
        // after downtime: December's and January's deliveries are missing (November's lies beyond the 40-day look-back)
        clock.set(berlin("2027-01-10T00:00"));
        assertThat(monitor.evaluate()).hasSize(2).extracting(Delivery::outcome).containsOnly(Delivery.Outcome.MISSING);
        assertThat(told).containsExactly("missing x2 since " + berlin("2026-12-03T06:00"));
    }
}
