package io.caravan.ops;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.caravan.ledger.BatchSummary;

/**
 * A partner flow as {@code GET /api/routes} shows it.
 *
 * @param id          the Camel route id
 * @param description the route's description (may be null)
 * @param partner     the partner id: the route's {@code group}
 * @param schedule    how the route is started by itself (null when it is not scheduled)
 * @param state       Camel's route status: {@code Started}, {@code Stopped}, {@code Suspended}...
 * @param lastBatch   the route's newest ledger batch, or null
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record RouteView(String id, String description, String partner, Schedule schedule, String state,
                 BatchSummary lastBatch) {

    /**
     * @param type           {@code cron} (Quartz cron), {@code poll} (file/SFTP polling: delay
     *                       between polls), {@code timer} (fixed period) or {@code trigger} (a
     *                       Quartz simple trigger)
     * @param cron           the cron expression, for {@code cron}
     * @param intervalMillis the delay or period in milliseconds, for the others
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Schedule(String type, String cron, Long intervalMillis) {
        static Schedule cron(String expression) {
            return new Schedule("cron", expression, null);
        }

        static Schedule every(String type, long millis) {
            return new Schedule(type, null, millis);
        }
    }
}
