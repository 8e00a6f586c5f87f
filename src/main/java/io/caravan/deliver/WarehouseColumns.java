package io.caravan.deliver;

import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The columns of tables and views of schema {@code caravan}, from {@code information_schema}, in
 * column order; an empty list for a name that is neither. Used to validate agreements and to build
 * export queries only from names the database itself reports. Thread-safe.
 */
final class WarehouseColumns implements Function<String, List<String>> {
    private final JdbcTemplate jdbc;

    WarehouseColumns(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    @Override
    public List<String> apply(String table) {
        return jdbc.queryForList("SELECT column_name FROM information_schema.columns WHERE table_schema = 'caravan' "
                + "AND table_name = ? ORDER BY ordinal_position", String.class, table);
    }
}
