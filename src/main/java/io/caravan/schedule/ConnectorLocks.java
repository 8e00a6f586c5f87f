package io.caravan.schedule;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * At most one run of a connector at a time, across the cluster: a PostgreSQL session advisory lock
 * per connector id, held on a connection of its own for as long as the run lasts (from the fetch
 * step until the batch's exchange completes), whether the run was fired by Quartz or by
 * {@code POST /api/routes/{id}/run}. A run that finds the lock taken does not start.
 *
 * <p>Thread-safe. A crashed node's locks go with its connections.
 */
@Component
public class ConnectorLocks {
    /** First key of the two-key advisory lock: 'CRVN', so Caravan's locks do not collide with others. */
    private static final int NAMESPACE = 0x4352564e;

    private final DataSource dataSource;

    public ConnectorLocks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The lock, or empty when another run of the connector holds it. */
    public Optional<Held> tryAcquire(String connectorId) {
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(true);
            try (PreparedStatement st = connection.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
                st.setInt(1, NAMESPACE);
                st.setString(2, connectorId);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return Optional.of(new Held(connection, connectorId));
                    }
                }
            }
            connection.close();
            return Optional.empty();
        } catch (SQLException e) {
            closeQuietly(connection);
            throw new IllegalStateException("cannot take the run lock of connector " + connectorId + " (SQLState " + e.getSQLState() + ")");
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing releases the lock anyway
            }
        }
    }

    /** A held lock; {@link #close()} releases it (idempotent). */
    public static final class Held implements AutoCloseable {
        private final Connection connection;
        private final String connectorId;
        private boolean released;

        Held(Connection connection, String connectorId) {
            this.connection = connection;
            this.connectorId = connectorId;
        }

        @Override
        public synchronized void close() {
            if (released) {
                return;
            }
            released = true;
            try (PreparedStatement st = connection.prepareStatement("SELECT pg_advisory_unlock(?, hashtext(?))")) {
                st.setInt(1, NAMESPACE);
                st.setString(2, connectorId);
                st.execute();
            } catch (SQLException ignored) {
                // closing the session releases it
            } finally {
                closeQuietly(connection);
            }
        }
    }
}
