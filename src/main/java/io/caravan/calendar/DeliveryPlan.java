package io.caravan.calendar;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The delivery calendar of one partner flow, as declared in {@code partners.yaml}: which route's
 * batches are its deliveries, from which day, in which zone, with which holidays and rhythm.
 *
 * <p>{@link #slots} turns it into expected deliveries. Each has a window that opens at the start of
 * its period (the month, the day, the interval) and closes when the next one opens, and a deadline
 * inside it: the first batch in the window is the delivery, on time up to the deadline, late after
 * it. Windows of consecutive deliveries touch, so every batch belongs to exactly one. Immutable,
 * thread-safe, deterministic.
 *
 * @param holidays the dates of the named holiday calendar (empty without one)
 */
public record DeliveryPlan(String partnerId, String flow, String title, LocalDate since, ZoneId zone,
                           String holidayCalendar, Set<LocalDate> holidays, DeliverySchedule schedule) {

    public DeliveryPlan {
        Objects.requireNonNull(partnerId, "partnerId");
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(schedule, "schedule");
        holidays = Set.copyOf(holidays);
        title = title == null ? flow : title;
    }

    /** One expected delivery: its window {@code [opensAt, closesAt)} and its deadline inside it. */
    public record Slot(Instant opensAt, Instant deadline, Instant closesAt) {
    }

    /**
     * The expected deliveries whose window meets {@code [from, to)}, in deadline order; none before
     * {@link #since} (the first window opens no earlier than the start of that day).
     */
    public List<Slot> slots(Instant from, Instant to) {
        if (!from.isBefore(to)) {
            return List.of();
        }
        Instant start = since.atStartOfDay(zone).toInstant();
        List<Instant[]> raw = new ArrayList<>(); // {opens, deadline}
        LocalDate fromDay = LocalDate.ofInstant(from, zone);
        LocalDate toDay = LocalDate.ofInstant(to, zone);
        if (schedule instanceof DeliverySchedule.Monthly monthly) {
            YearMonth first = YearMonth.from(fromDay).minusMonths(1);
            YearMonth sinceMonth = YearMonth.from(since);
            if (first.isBefore(sinceMonth)) {
                first = sinceMonth;
            }
            for (YearMonth month = first; !month.isAfter(YearMonth.from(toDay).plusMonths(1)); month = month.plusMonths(1)) {
                LocalDate day = monthly.businessDay() != null ? businessDay(month, monthly.businessDay())
                        : month.atDay(Math.min(monthly.day(), month.lengthOfMonth()));
                if (!day.isBefore(since)) {
                    raw.add(new Instant[] {month.atDay(1).atStartOfDay(zone).toInstant(), day.atTime(monthly.by()).atZone(zone).toInstant()});
                }
            }
        } else if (schedule instanceof DeliverySchedule.Daily daily) {
            LocalDate first = fromDay.minusDays(7).isBefore(since) ? since : fromDay.minusDays(7);
            for (LocalDate day = first; !day.isAfter(toDay.plusDays(7)); day = day.plusDays(1)) {
                if (!daily.businessDaysOnly() || HolidayCalendars.isBusinessDay(day, holidays)) {
                    raw.add(new Instant[] {day.atStartOfDay(zone).toInstant(), day.atTime(daily.by()).atZone(zone).toInstant()});
                }
            }
        } else if (schedule instanceof DeliverySchedule.Every every) {
            long step = every.interval().toSeconds();
            long firstIndex = Math.max(0, Duration.between(start, from).toSeconds() / step - 1);
            long lastIndex = Math.max(0, Duration.between(start, to).toSeconds() / step + 2);
            for (long k = firstIndex; k <= lastIndex; k++) {
                Instant opens = start.plusSeconds(k * step);
                raw.add(new Instant[] {opens, opens.plusSeconds(step)});
            }
        }
        List<Slot> slots = new ArrayList<>();
        for (int i = 0; i + 1 < raw.size(); i++) {
            Instant opens = raw.get(i)[0].isBefore(start) ? start : raw.get(i)[0];
            Slot slot = new Slot(opens, raw.get(i)[1], raw.get(i + 1)[0]);
            if (slot.closesAt().isAfter(from) && slot.opensAt().isBefore(to)) {
                slots.add(slot);
            }
        }
        return slots;
    }

    /** The n-th business day of the month, or its last business day when it has fewer. */
    private LocalDate businessDay(YearMonth month, int n) {
        LocalDate last = null;
        int seen = 0;
        for (LocalDate day = month.atDay(1); !day.isAfter(month.atEndOfMonth()); day = day.plusDays(1)) {
            if (HolidayCalendars.isBusinessDay(day, holidays)) {
                last = day;
                if (++seen == n) {
                    return day;
                }
            }
        }
        return last == null ? month.atEndOfMonth() : last;
    }
}
