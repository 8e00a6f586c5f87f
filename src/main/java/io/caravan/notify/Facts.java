package io.caravan.notify;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** The guard of {@link Notifier}'s contract: ids and counts only. Stateless. */
final class Facts {
    static final int MAX_FACTS = 30;
    static final int MAX_LIST = 100;
    private static final Pattern KEY = Pattern.compile("[a-zA-Z][a-zA-Z0-9_]{0,63}");
    private static final Pattern SAFE_TEXT = Pattern.compile("[A-Za-z0-9._:+/-]{0,200}");
    private static final Pattern PHONE_LIKE = Pattern.compile("\\+?[0-9][0-9 ]{6,}");
    private static final Pattern VIN_LIKE = Pattern.compile("[A-HJ-NPR-Z0-9]{17}", Pattern.CASE_INSENSITIVE);

    private Facts() {
    }

    /** The facts as JSON-ready values (instants and dates as ISO text), in the given order. */
    static Map<String, Object> checked(Map<String, ?> facts) {
        if (facts.size() > MAX_FACTS) {
            throw new NotificationException("a notification carries at most " + MAX_FACTS + " facts");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        facts.forEach((key, value) -> {
            if (key == null || !KEY.matcher(key).matches()) {
                throw new NotificationException("a fact name must be a short identifier");
            }
            if (value instanceof Collection<?> list) {
                if (list.size() > MAX_LIST) {
                    throw new NotificationException("fact '" + key + "' lists more than " + MAX_LIST + " values");
                }
                out.put(key, list.stream().map(v -> scalar(key, v)).toList());
            } else {
                out.put(key, scalar(key, value));
            }
        });
        return out;
    }

    private static Object scalar(String key, Object value) {
        if (value == null || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Instant || value instanceof LocalDate) {
            return value.toString();
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(java.util.Locale.ROOT);
        }
        if (value instanceof String text && SAFE_TEXT.matcher(text).matches()
                && !PHONE_LIKE.matcher(text).matches() && !(VIN_LIKE.matcher(text).matches() && text.chars().anyMatch(Character::isDigit)
                && text.chars().anyMatch(Character::isLetter))) {
            return text;
        }
        throw new NotificationException("fact '" + key + "' is not an id, count, date or flag (notifications carry no personal data)");
    }
}
