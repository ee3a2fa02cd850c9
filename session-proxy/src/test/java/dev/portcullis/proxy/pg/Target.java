package dev.portcullis.proxy.pg;

import dev.portcullis.proxy.ProxyTestResource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The target database seen directly, as its superuser: for checking what reached it. */
final class Target {

    private Target() {}

    static Connection direct() throws SQLException {
        var pg = ProxyTestResource.stack().postgres();
        return pg.connect(ProxyTestResource.DATABASE, "postgres", pg.superPassword());
    }

    /** A fresh table {@code name (id int)} with rows 1..5, owned by the connection's role. */
    static void reset(String name) {
        ProxyTestResource.stack()
                .postgres()
                .execute(
                        ProxyTestResource.DATABASE,
                        "DROP TABLE IF EXISTS " + name,
                        "CREATE TABLE " + name + " (id int)",
                        "ALTER TABLE " + name + " OWNER TO " + ProxyTestResource.ROLE,
                        "INSERT INTO " + name + " SELECT generate_series(1, 5)");
    }

    /** Whether the table exists, its row count and the sum of its ids: "absent" once dropped. */
    static String checksum(String table) throws SQLException {
        try (Connection c = direct();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return "absent";
            }
            try (ResultSet sum = s.executeQuery("SELECT count(*), coalesce(sum(id), 0) FROM " + table)) {
                sum.next();
                return sum.getLong(1) + "/" + sum.getLong(2);
            }
        }
    }

    /** What the backend of the session with this application_name last received (pg_stat_activity). */
    static String lastQuery(String applicationName) throws SQLException {
        try (Connection c = direct();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT query FROM pg_stat_activity WHERE application_name = '" + applicationName + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
