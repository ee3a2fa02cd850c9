package dev.portcullis.proxy.pg;

import dev.portcullis.proxy.ProxyTestResource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Real clients pointed at the proxy: psql and pgbench processes, and the PostgreSQL JDBC driver. */
public final class PgClients {

    public record Result(int exit, String out, String err) {}

    private PgClients() {}

    public static Connection jdbc(int port, String token, String applicationName) throws SQLException {
        return jdbc(port, token, applicationName, ProxyTestResource.CONNECTION);
    }

    public static Connection jdbc(int port, String token, String applicationName, String connection)
            throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "agent");
        p.setProperty("password", token);
        p.setProperty("sslmode", "disable");
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("assumeMinServerVersion", "10"); // application_name in the StartupMessage
        p.setProperty("connectTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + connection, p);
    }

    public static Result psql(int port, String token, String... sqlAndArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                "psql",
                "-X",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "-U",
                "agent",
                "-d",
                ProxyTestResource.CONNECTION));
        for (String s : sqlAndArgs) {
            cmd.add(s);
        }
        return run(cmd, token, null, 60);
    }

    public static Result run(List<String> cmd, String token, String stdin, int timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PGPASSWORD", token);
        pb.environment().put("PGCONNECT_TIMEOUT", "10");
        pb.environment().put("PGAPPNAME", "psql-test");
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd);
        }
        return new Result(
                p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
