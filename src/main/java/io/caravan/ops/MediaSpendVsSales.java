package io.caravan.ops;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reads the warehouse view {@code caravan.media_spend_vs_sales} (migration V6_1): ad spend versus
 * dealer sales per ISO week and model. Models are matched by {@code caravan.model_key()} (lower
 * case, letters and digits only), so the filter {@code model} is normalised the same way.
 * Aggregates only: no personal data. Thread-safe; every call is one bound-parameter query.
 */
final class MediaSpendVsSales {
    /** The most rows one answer holds (about 10 years of weeks for 10 models). */
    static final int MAX_ROWS = 5_000;

    private final JdbcTemplate jdbc;

    MediaSpendVsSales(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * One week and model.
     *
     * @param week        the Monday of the ISO week
     * @param model       the normalised model key both sides were matched on
     * @param modelName   the model as dealers spell it most often (or as the campaign names it)
     * @param currency    the spend's currency; null for a week with sales but no spend
     * @param spend       the spend in {@code currency} (0 when none)
     * @param sales       vehicles sold that week (new and used)
     * @param costPerSale {@code spend / sales}, rounded to cents; null when nothing was sold
     */
    record Point(LocalDate week, String model, String modelName, String currency, BigDecimal spend, long sales,
                 BigDecimal costPerSale, long impressions, long clicks) {
    }

    /** Rows between {@code from} and {@code to} (weeks starting in that range; either may be null), oldest first. */
    List<Point> points(LocalDate from, LocalDate to, String model) {
        StringBuilder sql = new StringBuilder("SELECT week, model, model_name, currency, spend, sales, cost_per_sale, "
                + "impressions, clicks FROM caravan.media_spend_vs_sales WHERE true");
        List<Object> args = new ArrayList<>();
        if (from != null) {
            sql.append(" AND week >= ?");
            args.add(Date.valueOf(from));
        }
        if (to != null) {
            sql.append(" AND week <= ?");
            args.add(Date.valueOf(to));
        }
        if (model != null) {
            sql.append(" AND model = caravan.model_key(?)");
            args.add(model);
        }
        sql.append(" ORDER BY week, model, currency NULLS FIRST LIMIT ").append(MAX_ROWS);
        return jdbc.query(sql.toString(), (rs, i) -> new Point(rs.getDate("week").toLocalDate(), rs.getString("model"),
                rs.getString("model_name"), rs.getString("currency"), rs.getBigDecimal("spend"), rs.getLong("sales"),
                rs.getBigDecimal("cost_per_sale"), rs.getLong("impressions"), rs.getLong("clicks")), args.toArray());
    }
}
