package io.caravan.privacy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The record tables of the warehouse as the database has them now: every table of schema
 * {@code caravan} with a {@code record_key} column, with its columns. Found in the catalogue at
 * each call, so tables that later migrations add are covered without a change here. Column and
 * table names come from the catalogue only (never from a request) before they are quoted into SQL.
 */
final class RecordTables {
    static final List<String> TOKEN_COLUMNS = List.of("email_token", "phone_token", "subject_token");

    private final JdbcTemplate jdbc;

    RecordTables(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /** Table name → its columns, in catalogue order; tables sorted by name. */
    Map<String, Set<String>> all() {
        Map<String, Set<String>> tables = new LinkedHashMap<>();
        jdbc.query("""
                SELECT c.table_name, c.column_name FROM information_schema.columns c
                JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                WHERE c.table_schema = 'caravan' AND t.table_type = 'BASE TABLE'
                  AND c.table_name IN (SELECT table_name FROM information_schema.columns
                                       WHERE table_schema = 'caravan' AND column_name = 'record_key')
                ORDER BY c.table_name, c.ordinal_position""", rs -> {
            tables.computeIfAbsent(rs.getString(1), k -> new java.util.LinkedHashSet<>()).add(rs.getString(2));
        });
        return tables;
    }

    /** The token columns a table has. */
    static List<String> tokenColumns(Set<String> columns) {
        List<String> out = new ArrayList<>();
        for (String column : TOKEN_COLUMNS) {
            if (columns.contains(column)) {
                out.add(column);
            }
        }
        return out;
    }

    /** A catalogue name, double-quoted for SQL. */
    static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
