package io.caravan.calendar;

import io.caravan.config.ConfigFiles;
import io.caravan.error.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The delivery calendars declared beside the partners in {@code partners.yaml}
 * ({@code partners[].deliveries}), checked against the partners schema and for what it cannot say:
 * exactly one rhythm, a zone that exists, a holiday calendar that {@code holidays.yaml} defines, an
 * interval of 1 minute to 1 day, a flow declared once. Every problem names the file and the path,
 * all at once. Immutable and thread-safe.
 */
public final class DeliveryPlans {
    static final String PARTNERS_SCHEMA = "/io/caravan/exchange/partners.schema.json";

    private final List<DeliveryPlan> plans;
    private final Map<String, String> partners;

    /** @param partners every partner of the file, id to display name, in file order */
    DeliveryPlans(List<DeliveryPlan> plans, Map<String, String> partners) {
        this.plans = List.copyOf(plans);
        this.partners = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(partners));
    }

    /** Reads {@code partners.yaml} (none when it does not exist) with the holiday calendars it may name. */
    public static DeliveryPlans load(Path partnersFile, HolidayCalendars holidays) {
        if (!Files.exists(partnersFile)) {
            return new DeliveryPlans(List.of(), Map.of());
        }
        JsonNode root = ConfigFiles.read(partnersFile, PARTNERS_SCHEMA);
        List<String> problems = new ArrayList<>();
        List<DeliveryPlan> plans = new ArrayList<>();
        Map<String, String> partnerIds = new java.util.LinkedHashMap<>();
        Map<String, String> flows = new HashMap<>();
        JsonNode partners = root.path("partners");
        for (int p = 0; p < partners.size(); p++) {
            JsonNode partner = partners.get(p);
            String partnerId = partner.path("id").asString();
            partnerIds.put(partnerId, partner.path("name").asString(partnerId));
            JsonNode deliveries = partner.path("deliveries");
            for (int d = 0; d < deliveries.size(); d++) {
                String path = "$.partners[" + p + "].deliveries[" + d + "]";
                List<String> found = new ArrayList<>();
                DeliveryPlan plan = plan(partnerId, deliveries.get(d), path, holidays, found);
                found.forEach(problem -> problems.add(partnersFile + ": " + problem));
                if (plan != null) {
                    String first = flows.putIfAbsent(plan.flow(), path + ".flow");
                    if (first != null) {
                        problems.add(partnersFile + ": " + path + ".flow: flow already has a calendar at " + first);
                    } else {
                        plans.add(plan);
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(ConfigException.Code.INVALID, "delivery calendars", problems);
        }
        return new DeliveryPlans(plans, partnerIds);
    }

    private static DeliveryPlan plan(String partnerId, JsonNode node, String path, HolidayCalendars holidays,
                                     List<String> problems) {
        ZoneId zone = null;
        String zoneName = node.path("zone").asString("Europe/Berlin");
        try {
            zone = ZoneId.of(zoneName);
        } catch (DateTimeException e) {
            problems.add(path + ".zone: not a time zone (use an IANA name such as Europe/Berlin)");
        }
        LocalDate since = null;
        try {
            since = LocalDate.parse(node.path("since").asString());
        } catch (DateTimeException e) {
            problems.add(path + ".since: not a date of the calendar (yyyy-mm-dd)");
        }
        String calendar = node.path("holidays").isMissingNode() ? null : node.path("holidays").asString();
        if (calendar != null && !holidays.contains(calendar)) {
            problems.add(path + ".holidays: no holiday calendar '" + calendar + "' in holidays.yaml (defined: "
                    + String.join(", ", holidays.ids()) + ")");
        }
        List<String> rhythms = new ArrayList<>();
        for (String rhythm : List.of("monthly", "daily", "every")) {
            if (node.has(rhythm)) {
                rhythms.add(rhythm);
            }
        }
        DeliverySchedule schedule = null;
        if (rhythms.size() != 1) {
            problems.add(path + ": needs exactly one of monthly, daily, every" + (rhythms.isEmpty() ? "" : " (has " + String.join(", ", rhythms) + ")"));
        } else if (node.has("monthly")) {
            JsonNode monthly = node.path("monthly");
            if (monthly.has("businessDay") == monthly.has("day")) {
                problems.add(path + ".monthly: needs exactly one of businessDay, day");
            } else {
                schedule = new DeliverySchedule.Monthly(monthly.has("businessDay") ? monthly.path("businessDay").asInt() : null,
                        monthly.has("day") ? monthly.path("day").asInt() : null, LocalTime.parse(monthly.path("by").asString()));
            }
        } else if (node.has("daily")) {
            JsonNode daily = node.path("daily");
            schedule = new DeliverySchedule.Daily(LocalTime.parse(daily.path("by").asString()),
                    daily.path("businessDaysOnly").asBoolean(false));
        } else {
            Duration interval = null;
            try {
                interval = Duration.parse(node.path("every").asString());
            } catch (DateTimeException e) {
                problems.add(path + ".every: not an ISO-8601 duration (e.g. PT15M)");
            }
            if (interval != null) {
                if (interval.compareTo(DeliverySchedule.Every.MIN) < 0 || interval.compareTo(DeliverySchedule.Every.MAX) > 0) {
                    problems.add(path + ".every: must be between PT1M and PT24H");
                } else {
                    schedule = new DeliverySchedule.Every(interval);
                }
            }
        }
        if (!problems.isEmpty() || schedule == null) {
            return null;
        }
        return new DeliveryPlan(partnerId, node.path("flow").asString(),
                node.path("title").isMissingNode() ? null : node.path("title").asString(), since, zone, calendar,
                holidays.dates(calendar), schedule);
    }

    public List<DeliveryPlan> all() {
        return plans;
    }

    /** The plans of one partner (all for a null partner), in file order. */
    public List<DeliveryPlan> of(String partnerId) {
        return partnerId == null ? plans : plans.stream().filter(p -> p.partnerId().equals(partnerId)).toList();
    }

    public Optional<DeliveryPlan> flow(String flow) {
        return plans.stream().filter(p -> p.flow().equals(flow)).findFirst();
    }

    /** True when {@code partners.yaml} lists the partner (with or without a calendar). */
    public boolean knowsPartner(String partnerId) {
        return partners.containsKey(partnerId);
    }

    /** Every partner of the file, id to display name, in file order. */
    public Map<String, String> partners() {
        return partners;
    }
}
