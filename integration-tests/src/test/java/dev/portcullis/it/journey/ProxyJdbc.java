package dev.portcullis.it.journey;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** The PostgreSQL JDBC driver pointed at session-proxy: database = connection, password = session token. */
final class ProxyJdbc {

    private ProxyJdbc() {}

    static Connection connect(int proxyPort, String connection, String agent, String token) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", agent);
        p.setProperty("password", token);
        p.setProperty("ApplicationName", "journey-it");
        // application_name in the startup packet, not as a SET statement of its own after login
        p.setProperty("assumeMinServerVersion", "9.0");
        p.setProperty("connectTimeout", "15");
        p.setProperty("socketTimeout", "120");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxyPort + "/" + connection, p);
    }
}
