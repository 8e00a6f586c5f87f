package io.caravan.calendar;

import java.time.Duration;
import java.time.LocalTime;
import java.util.Objects;

/**
 * When a flow is expected to deliver: one of a monthly, daily or interval rhythm. Immutable values,
 * validated on construction.
 */
public sealed interface DeliverySchedule {

    /** Monthly, by {@code by} on the {@code businessDay}-th business day or on calendar day {@code day}. */
    record Monthly(Integer businessDay, Integer day, LocalTime by) implements DeliverySchedule {
        public Monthly {
            Objects.requireNonNull(by, "by");
            if ((businessDay == null) == (day == null)) {
                throw new IllegalArgumentException("exactly one of businessDay and day");
            }
        }

        @Override
        public String describe() {
            return "monthly by " + by + (businessDay != null ? " on business day " + businessDay : " on day " + day);
        }
    }

    /** Every day (or every business day) by {@code by}. */
    record Daily(LocalTime by, boolean businessDaysOnly) implements DeliverySchedule {
        public Daily {
            Objects.requireNonNull(by, "by");
        }

        @Override
        public String describe() {
            return (businessDaysOnly ? "every business day" : "daily") + " by " + by;
        }
    }

    /** One delivery per {@code interval}, 1 minute to 1 day, counted from midnight of the first day. */
    record Every(Duration interval) implements DeliverySchedule {
        public static final Duration MIN = Duration.ofMinutes(1);
        public static final Duration MAX = Duration.ofDays(1);

        public Every {
            Objects.requireNonNull(interval, "interval");
            if (interval.compareTo(MIN) < 0 || interval.compareTo(MAX) > 0) {
                throw new IllegalArgumentException("interval outside 1 minute to 1 day");
            }
        }

        @Override
        public String describe() {
            return "every " + interval;
        }
    }

    /** For operators: {@code monthly by 06:00 on business day 3}. */
    String describe();
}
