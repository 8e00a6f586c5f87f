package io.caravan.ops;

import io.caravan.api.ApiException;
import io.caravan.calendar.Delivery;
import io.caravan.calendar.DeliveryCalendar;
import io.caravan.calendar.DeliveryPlan;
import io.caravan.deliver.AgreementRegistry;
import io.caravan.deliver.Exporter;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/deliveries?partner=&flow=&from=&to=} (viewer): the expected deliveries of the
 * partners' delivery calendars due (by their deadline) in {@code [from, to)}, deadline order, each with its
 * outcome ({@code on_time}, {@code late}, {@code missing}, {@code pending}), its batch and lateness.
 * {@code from} and {@code to} are days ({@code 2026-12-01}, UTC; {@code to} inclusive) or instants;
 * by default the last 30 days and the next one. {@code GET /api/deliveries/calendars?partner=}
 * lists the partners with their calendars and agreements. An unknown partner is {@code 404}, a bad or too long range {@code 400} naming it.
 */
@RestController
class DeliveriesController {
    private static final Duration MAX_RANGE = Duration.ofDays(366);

    private final ObjectProvider<DeliveryCalendar> calendars;
    private final ObjectProvider<Exporter> exporters;

    /** Looked up per call, so the ops API also runs in contexts without calendars or exports. */
    DeliveriesController(ObjectProvider<DeliveryCalendar> calendars, ObjectProvider<Exporter> exporters) {
        this.calendars = calendars;
        this.exporters = exporters;
    }

    private DeliveryCalendar calendar() {
        DeliveryCalendar calendar = calendars.getIfAvailable();
        if (calendar == null) {
            throw ApiException.notFound("delivery calendars are not configured in this application");
        }
        return calendar;
    }

    @GetMapping("/api/deliveries")
    List<Map<String, Object>> deliveries(@RequestParam(name = "partner", required = false) String partner,
                                         @RequestParam(name = "flow", required = false) String flow,
                                         @RequestParam(name = "from", required = false) String from,
                                         @RequestParam(name = "to", required = false) String to) {
        DeliveryCalendar calendar = calendar();
        String partnerId = partner == null || partner.isBlank() ? null : partner.strip();
        if (partnerId != null && !calendar.plans().knowsPartner(partnerId)) {
            throw ApiException.notFound("no partner with this id in partners.yaml");
        }
        Instant now = calendar.now();
        Instant start = from == null || from.isBlank() ? now.minus(Duration.ofDays(30)) : instant(from, "from", false);
        Instant end = to == null || to.isBlank() ? now.plus(Duration.ofDays(1)) : instant(to, "to", true);
        if (!start.isBefore(end)) {
            throw ApiException.badRequest("from must be before to", "from");
        }
        if (Duration.between(start, end).compareTo(MAX_RANGE) > 0) {
            throw ApiException.badRequest("the range may span at most 366 days", "to");
        }
        List<Delivery> found;
        try {
            found = calendar.deliveries(partnerId, start, end);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("too many expected deliveries in the range; narrow it or name a flow", "to");
        }
        return found.stream().filter(d -> flow == null || flow.isBlank() || d.flow().equals(flow.strip()))
                .map(DeliveriesController::view).toList();
    }

    /**
     * Every partner of {@code partners.yaml} (or one) with its name, its delivery calendars and the
     * sharing agreements it has ({@code config/agreements.yaml}: id and last valid day).
     */
    @GetMapping("/api/deliveries/calendars")
    List<Map<String, Object>> calendars(@RequestParam(name = "partner", required = false) String partner) {
        DeliveryCalendar calendar = calendar();
        String partnerId = partner == null || partner.isBlank() ? null : partner.strip();
        if (partnerId != null && !calendar.plans().knowsPartner(partnerId)) {
            throw ApiException.notFound("no partner with this id in partners.yaml");
        }
        List<AgreementRegistry.Validity> agreements = exporters.getIfAvailable() == null ? List.of()
                : exporters.getIfAvailable().agreements().validities();
        return calendar.plans().partners().entrySet().stream().filter(p -> partnerId == null || p.getKey().equals(partnerId))
                .map(p -> {
                    Map<String, Object> view = new LinkedHashMap<>();
                    view.put("partner", p.getKey());
                    view.put("name", p.getValue());
                    view.put("calendars", calendar.plans().of(p.getKey()).stream().map(DeliveriesController::view).toList());
                    view.put("agreements", agreements.stream().filter(a -> a.partnerId().equals(p.getKey()))
                            .map(a -> Map.of("agreementId", a.agreementId(), "validUntil", a.validUntil().toString())).toList());
                    return view;
                }).toList();
    }

    private static Instant instant(String text, String field, boolean endOfDay) {
        try {
            if (text.length() == 10) {
                LocalDate day = LocalDate.parse(text);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(text);
        } catch (DateTimeException e) {
            throw ApiException.badRequest(field + " must be a day (yyyy-mm-dd) or an instant (2026-12-01T06:00:00Z)", field);
        }
    }

    static Map<String, Object> view(Delivery d) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("partner", d.partnerId());
        view.put("flow", d.flow());
        view.put("opensAt", d.opensAt());
        view.put("deadline", d.deadline());
        view.put("closesAt", d.closesAt());
        view.put("outcome", d.outcome().label());
        view.put("batchId", d.batchId());
        view.put("arrivedAt", d.arrivedAt());
        view.put("latenessSeconds", d.latenessSeconds());
        return view;
    }

    static Map<String, Object> view(DeliveryPlan plan) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("partner", plan.partnerId());
        view.put("flow", plan.flow());
        view.put("title", plan.title());
        view.put("schedule", plan.schedule().describe());
        view.put("zone", plan.zone().getId());
        view.put("holidays", plan.holidayCalendar());
        view.put("since", plan.since().toString());
        return view;
    }
}
