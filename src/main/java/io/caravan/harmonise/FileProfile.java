package io.caravan.harmonise;

import java.util.List;
import java.util.Map;

/**
 * What a {@link PrePass} measured over a whole source: counts and column names only, never a value,
 * so it is safe to log, store and show to operators and partners.
 *
 * @param columns         the source's columns in the order first seen (a CSV header; for structured
 *                        formats the union of field paths), at most {@link PrePass#MAX_COLUMNS}
 * @param rows            every record read, usable or not
 * @param unreadable      records the reader could not use at all (ragged, malformed)
 * @param rejected        records harmonise would reject (unreadable ones included)
 * @param requiredMissing per required canonical field, the readable rows in which its source value is empty
 * @param vinsPresent     readable rows with a non-empty value in a VIN field
 * @param vinsInvalid     of those, the rows whose VIN is not valid
 * @param dates           per checked date field, how many values were checked and how many were out of the window
 */
public record FileProfile(List<String> columns, long rows, long unreadable, long rejected,
                          Map<String, Long> requiredMissing, long vinsPresent, long vinsInvalid,
                          Map<String, DateCounts> dates) {

    public FileProfile {
        columns = List.copyOf(columns);
        requiredMissing = Map.copyOf(requiredMissing);
        dates = Map.copyOf(dates);
    }

    /** Rows the reader could read (every rate of a field is over these). */
    public long readable() {
        return rows - unreadable;
    }

    /**
     * @param checked  non-empty values of the field that parsed as a date
     * @param tooOld   of those, dates before the window's earliest day
     * @param future   of those, dates after the window's latest day
     */
    public record DateCounts(long checked, long tooOld, long future) {
        public long implausible() {
            return tooOld + future;
        }
    }
}
