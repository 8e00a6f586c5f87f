package io.caravan.calendar;

import io.caravan.config.ConfigFiles;
import io.caravan.error.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The holiday calendars of {@code config/holidays.yaml}: named lists of dates that are not
 * business days. A business day is Monday to Friday and not in the calendar. Immutable and
 * thread-safe.
 */
public final class HolidayCalendars {
    static final String SCHEMA = "/io/caravan/calendar/holidays.schema.json";

    private final Map<String, Set<LocalDate>> calendars;

    HolidayCalendars(Map<String, Set<LocalDate>> calendars) {
        Map<String, Set<LocalDate>> copy = new LinkedHashMap<>();
        calendars.forEach((id, dates) -> copy.put(id, Set.copyOf(dates)));
        this.calendars = Map.copyOf(copy);
    }

    /** No calendars (no {@code holidays.yaml}). */
    static HolidayCalendars none() {
        return new HolidayCalendars(Map.of());
    }

    /**
     * Reads and validates the file; a missing file is no calendars.
     *
     * @throws ConfigException naming the file and the path of every problem (a date that does not exist)
     */
    public static HolidayCalendars load(Path file) {
        if (!Files.exists(file)) {
            return none();
        }
        JsonNode root = ConfigFiles.read(file, SCHEMA);
        List<String> problems = new ArrayList<>();
        Map<String, Set<LocalDate>> calendars = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("calendars").properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> calendar = it.next();
            Set<LocalDate> dates = new TreeSet<>();
            JsonNode list = calendar.getValue().path("dates");
            for (int i = 0; i < list.size(); i++) {
                try {
                    dates.add(LocalDate.parse(list.get(i).asString()));
                } catch (DateTimeException e) {
                    problems.add(file + ": $.calendars." + calendar.getKey() + ".dates[" + i + "]: not a date of the calendar");
                }
            }
            calendars.put(calendar.getKey(), dates);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(ConfigException.Code.INVALID, "holiday calendars", problems);
        }
        return new HolidayCalendars(calendars);
    }

    boolean contains(String id) {
        return calendars.containsKey(id);
    }

    Set<String> ids() {
        return new TreeSet<>(calendars.keySet());
    }

    /** The days of calendar {@code id} (none for a null id). */
    Set<LocalDate> dates(String id) {
        return id == null ? Set.of() : calendars.getOrDefault(id, Set.of());
    }

    static boolean isBusinessDay(LocalDate day, Set<LocalDate> holidays) {
        DayOfWeek dow = day.getDayOfWeek();
        return dow != DayOfWeek.SATURDAY && dow != DayOfWeek.SUNDAY && !holidays.contains(day);
    }
}
