package dev.portcullis.devstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.SharedDevStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `up`'s demo target, provisioned twice on a real PostgreSQL as `up` does on an existing stack: the same passwords,
 * a read-only {@code demo_read} beside the owner, per-level credentials in the connections file (the file's own
 * validation is contracts' and session-proxy's business), and no password
 * anywhere but in its own file.
 */
class DemoTargetTest {

    @TempDir
    Path home;

    @Test
    void provisioningTwiceKeepsThePasswordsAndGivesReadSessionsAReadOnlyRole() throws Exception {
        DevStack stack = SharedDevStack.ensure(Component.POSTGRES);
        StackLayout layout = new StackLayout(home, home);
        DemoTarget.Passwords first = DemoTarget.provision(stack.postgres(), layout);
        String owner = Files.readString(first.owner());
        String read = Files.readString(first.read());
        DemoTarget.Passwords again = DemoTarget.provision(stack.postgres(), layout);
        assertEquals(first, again);
        assertEquals(owner, Files.readString(again.owner()), "the owner's password is kept");
        assertEquals(read, Files.readString(again.read()), "the read role's password is kept");
        assertFalse(owner.equals(read), "two roles, two passwords");
        for (Path p : new Path[] {first.owner(), first.read()}) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
        }

        String file = Files.readString(
                DemoTarget.writeConnections(layout, stack.postgres().port(), again));
        assertTrue(file.contains("read: { username: demo_read, passwordFile: " + again.read() + " }"), file);
        assertTrue(file.contains("write: { username: demo_app, passwordFile: " + again.owner() + " }"), file);
        assertTrue(file.contains("admin: { username: demo_app, passwordFile: " + again.owner() + " }"), file);

        try (java.sql.Connection c = stack.postgres().connect(DemoTarget.DATABASE, DemoTarget.READ_ROLE, read);
                Statement s = c.createStatement()) {
            assertTrue(s.executeQuery("SELECT count(*) FROM customers").next());
            SQLException e = assertThrows(
                    SQLException.class, () -> s.execute("DELETE FROM customers WHERE name = 'Ada Lovelace'"));
            assertEquals("25006", e.getSQLState(), "read-only on the role itself: " + e.getMessage());
            s.execute("SET default_transaction_read_only = off");
            e = assertThrows(SQLException.class, () -> s.execute("DELETE FROM customers WHERE name = 'Ada Lovelace'"));
            assertEquals("42501", e.getSQLState(), "and no DELETE privilege: " + e.getMessage());
        }

        for (Path log : logs(stack, home)) {
            String text = Files.readString(log);
            assertFalse(text.contains(owner) || text.contains(read), "a password in " + log);
        }
    }

    /** Every file but the password files: the PostgreSQL log, the connections file. */
    private static java.util.List<Path> logs(DevStack stack, Path home) throws IOException {
        java.util.List<Path> files = new java.util.ArrayList<>();
        files.add(stack.logFile(Component.POSTGRES));
        try (Stream<Path> all = Files.walk(home)) {
            all.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().endsWith(".password"))
                    .forEach(files::add);
        }
        return files;
    }
}
