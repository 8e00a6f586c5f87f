package io.caravan.deliver;

import io.caravan.error.SafeMessage;
import io.caravan.connector.WarehouseTable;
import io.caravan.error.DataException;
import io.caravan.ledger.BatchNotRunningException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * A batch could not be written to the warehouse; its transaction was rolled back and its ledger
 * row marked {@code failed}. The message names the batch, the table and the cause (its class, the
 * SQLState and the constraint, column or table PostgreSQL named), never a value.
 *
 * <p>Because a database or upstream error message may quote a value, the original cause is not
 * attached: {@link #getCause()} is a stand-in with the same description and the original stack
 * trace, so a logged stack trace shows where it failed but not what the data was. The writer's
 * own programming-error messages, which it composes from names only, and a source refused by its
 * reader ({@link DataException}, which names file, row and rule only) are kept as they are.
 */
class DeliveryException extends RuntimeException implements SafeMessage {
    private static final long serialVersionUID = 1L;

    private final String batchId;
    private final String table;

    private DeliveryException(String batchId, String table, String message, Throwable cause) {
        super(message, cause);
        this.batchId = batchId;
        this.table = table;
    }

    static DeliveryException of(String batchId, WarehouseTable table, Throwable cause) {
        String description = describe(cause);
        return new DeliveryException(batchId, table.tableName(),
                "batch " + batchId + " into caravan." + table.tableName() + " failed and was rolled back: "
                        + description, safeCause(cause, description));
    }

    public String batchId() {
        return batchId;
    }

    /** The record table the batch was meant for. */
    public String table() {
        return table;
    }

    /** A value-free stand-in for {@code cause}, with its stack trace. */
    static Throwable safeCause(Throwable cause, String description) {
        if (cause instanceof WriterDefect || cause instanceof BatchNotRunningException
                || cause instanceof DataException) {
            return cause;
        }
        Redacted redacted = new Redacted(description);
        redacted.setStackTrace(cause.getStackTrace());
        return redacted;
    }

    /** What went wrong, from names only. */
    static String describe(Throwable cause) {
        if (cause instanceof WriterDefect || cause instanceof BatchNotRunningException
                || cause instanceof DataException) {
            return cause.getMessage();
        }
        SQLException sql = cause instanceof SQLException s ? s : null;
        if (sql instanceof BatchUpdateException batch && batch.getNextException() != null) {
            sql = batch.getNextException();
        }
        if (sql == null) {
            return cause.getClass().getName();
        }
        List<String> parts = new ArrayList<>();
        parts.add("SQLState " + sql.getSQLState());
        if (sql instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            ServerErrorMessage server = psql.getServerErrorMessage();
            addNamed(parts, "table", server.getTable());
            addNamed(parts, "column", server.getColumn());
            addNamed(parts, "constraint", server.getConstraint());
            addNamed(parts, "type", server.getDatatype());
        }
        return sql.getClass().getName() + " (" + String.join(", ", parts) + ")";
    }

    private static void addNamed(List<String> parts, String what, String name) {
        if (name != null && !name.isEmpty()) {
            parts.add(what + " " + name);
        }
    }

    /** Stands in for a cause whose message may hold a value. */
    static final class Redacted extends RuntimeException implements SafeMessage {
        private static final long serialVersionUID = 1L;

        Redacted(String description) {
            super(description + " [original message withheld: it may quote a value]");
        }
    }
}
