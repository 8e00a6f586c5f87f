package io.caravan.calendar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.error.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliveryPlanTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    /** The German public holidays of the repository's config. */
    private static final HolidayCalendars HOLIDAYS = HolidayCalendars.load(Path.of("config/holidays.yaml"));

    @TempDir
    Path dir;

    private static DeliveryPlan plan(DeliverySchedule schedule, String since) {
        return new DeliveryPlan("dealer-x", "dealer-x-sales", null, LocalDate.parse(since), BERLIN, "de-public",
                HOLIDAYS.dates("de-public"), schedule);
    }

    private static Instant berlin(String local) {
        return java.time.LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }

    @Test
    void monthlyOnTheThirdBusinessDaySkipsWeekendsAndPublicHolidays() {
        DeliveryPlan monthly = plan(new DeliverySchedule.Monthly(3, null, LocalTime.of(6, 0)), "2026-01-01");
        List<DeliveryPlan.Slot> slots = monthly.slots(berlin("2026-01-01T00:00"), berlin("2026-06-01T00:00"));
        // Jan 2026: Thu 1 is New Year, Fri 2, Mon 5, Tue 6 -> 3rd business day is the 6th
        // Apr 2026: Wed 1, Thu 2, Fri 3 Good Friday, Mon 6 Easter Monday, Tue 7 -> the 7th
        // May 2026: Fri 1 Labour Day, Mon 4, Tue 5, Wed 6 -> the 6th
        assertThat(slots).extracting(DeliveryPlan.Slot::deadline).containsExactly(
                berlin("2026-01-06T06:00"), berlin("2026-02-04T06:00"), berlin("2026-03-04T06:00"),
                berlin("2026-04-07T06:00"), berlin("2026-05-06T06:00"));
        assertThat(slots.get(0).opensAt()).isEqualTo(berlin("2026-01-01T00:00"));
        assertThat(slots.get(0).closesAt()).isEqualTo(berlin("2026-02-01T00:00"));
    }

    @Test
    void monthlyOnDay31FallsOnTheLastDayOfShortMonths() {
        DeliveryPlan monthly = plan(new DeliverySchedule.Monthly(null, 31, LocalTime.of(23, 0)), "2026-01-01");
        assertThat(monthly.slots(berlin("2026-02-01T00:00"), berlin("2026-03-01T00:00")))
                .extracting(DeliveryPlan.Slot::deadline).containsExactly(berlin("2026-02-28T23:00"));
    }

    @Test
    void dailyOnBusinessDaysLeavesOutWeekendsAndHolidaysAndItsWindowsTouch() {
        DeliveryPlan daily = plan(new DeliverySchedule.Daily(LocalTime.of(7, 0), true), "2026-12-01");
        List<DeliveryPlan.Slot> slots = daily.slots(berlin("2026-12-24T00:00"), berlin("2026-12-29T00:00"));
        assertThat(slots).extracting(DeliveryPlan.Slot::deadline).containsExactly(
                berlin("2026-12-24T07:00"), berlin("2026-12-28T07:00"));
        assertThat(slots.get(0).closesAt()).isEqualTo(slots.get(1).opensAt()).isEqualTo(berlin("2026-12-28T00:00"));
    }

    @Test
    void everyFifteenMinutesCountsFromMidnightOfTheFirstDayAcrossDaylightSavingTime() {
        DeliveryPlan api = plan(new DeliverySchedule.Every(Duration.ofMinutes(15)), "2026-03-28");
        List<DeliveryPlan.Slot> slots = api.slots(berlin("2026-03-29T01:50"), berlin("2026-03-29T03:20"));
        // 02:00 CET becomes 03:00 CEST: the interval is real time
        assertThat(slots).extracting(DeliveryPlan.Slot::deadline).containsExactly(
                berlin("2026-03-29T03:00"),
                berlin("2026-03-29T03:15"), berlin("2026-03-29T03:30"));
        assertThat(slots).allSatisfy(s -> assertThat(Duration.between(s.opensAt(), s.deadline())).isEqualTo(Duration.ofMinutes(15)));
    }

    @Test
    void nothingIsExpectedBeforeSince() {
        DeliveryPlan monthly = plan(new DeliverySchedule.Monthly(3, null, LocalTime.of(6, 0)), "2026-03-10");
        assertThat(monthly.slots(berlin("2026-01-01T00:00"), berlin("2026-04-01T00:00"))).isEmpty();
        assertThat(monthly.slots(berlin("2026-01-01T00:00"), berlin("2026-05-01T00:00")))
                .extracting(DeliveryPlan.Slot::deadline).containsExactly(berlin("2026-04-07T06:00"));
    }

    @Test
    void theRepositoryCalendarsLoad() {
        DeliveryPlans plans = DeliveryPlans.load(Path.of("config/partners.yaml"), HOLIDAYS);
        assertThat(plans.flow("dealer-nord-sales")).hasValueSatisfying(p -> {
            assertThat(p.partnerId()).isEqualTo("dealer-nord");
            assertThat(p.schedule().describe()).isEqualTo("monthly by 06:00 on business day 3");
        });
        assertThat(plans.knowsPartner("kreditwerk")).isTrue();
    }

    @Test
    void invalidCalendarsAreRefusedWithFileAndPathAllAtOnce() throws IOException {
        Path file = dir.resolve("partners.yaml");
        Files.writeString(file, """
                partners:
                  - id: dealer-x
                    name: X
                    deliveries:
                      - flow: a
                        since: 2026-01-01
                        zone: Europe/Berlni
                        holidays: de-pubic
                        monthly: { by: "06:00" }
                      - flow: b
                        since: 2026-02-30
                        daily: { by: "07:00" }
                        every: PT15M
                      - flow: c
                        since: 2026-01-01
                        every: PT10S
                """);
        assertThatThrownBy(() -> DeliveryPlans.load(file, HOLIDAYS)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(file + ": $.partners[0].deliveries[0].zone: not a time zone")
                .hasMessageContaining(file + ": $.partners[0].deliveries[0].holidays: no holiday calendar 'de-pubic' in holidays.yaml (defined: de-public)")
                .hasMessageContaining(file + ": $.partners[0].deliveries[0].monthly: needs exactly one of businessDay, day")
                .hasMessageContaining(file + ": $.partners[0].deliveries[1].since: not a date of the calendar")
                .hasMessageContaining(file + ": $.partners[0].deliveries[1]: needs exactly one of monthly, daily, every (has daily, every)")
                .hasMessageContaining(file + ": $.partners[0].deliveries[2].every: must be between PT1M and PT24H");
    }

    @Test
    void aScheduleTheSchemaRefusesNamesTheFileAndPath() throws IOException {
        Path file = dir.resolve("partners.yaml");
        Files.writeString(file, """
                partners:
                  - id: dealer-x
                    name: X
                    deliveries:
                      - flow: a
                        since: 2026-01-01
                        monthly: { businessDay: 3, by: "6 Uhr" }
                """);
        assertThatThrownBy(() -> DeliveryPlans.load(file, HOLIDAYS)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(file + ": $.partners[0].deliveries[0].monthly.by");
    }

    @Test
    void aHolidayThatIsNotADateIsRefused() throws IOException {
        Path file = dir.resolve("holidays.yaml");
        Files.writeString(file, "calendars:\n  de-x:\n    dates: [2026-02-30]\n");
        assertThatThrownBy(() -> HolidayCalendars.load(file))
                .hasMessageContaining(file + ": $.calendars.de-x.dates[0]: not a date of the calendar");
        assertThat(HolidayCalendars.isBusinessDay(LocalDate.of(2026, 12, 25), HOLIDAYS.dates("de-public"))).isFalse();
        assertThat(HolidayCalendars.isBusinessDay(LocalDate.of(2026, 12, 28), Set.of())).isTrue();
    }
}
