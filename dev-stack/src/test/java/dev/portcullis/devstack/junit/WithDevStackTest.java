package dev.portcullis.devstack.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.DevStackException;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/** The JUnit extension starts only what the class asks for and hands the stack to tests. */
@WithDevStack(value = Component.POSTGRES, shared = false)
class WithDevStackTest {

    @Test
    void injectsARunningStackWithOnlyTheRequestedComponents(DevStack stack) throws Exception {
        assertTrue(stack.isRunning(Component.POSTGRES));
        assertFalse(stack.isRunning(Component.KAFKA));
        assertFalse(stack.isRunning(Component.KEYCLOAK));
        DevStackException e = assertThrows(DevStackException.class, stack::kafka);
        assertTrue(e.getMessage().contains("kafka is not part of this stack"), e.getMessage());
        try (Connection c = stack.postgres()
                        .connect("postgres", "postgres", stack.postgres().superPassword());
                ResultSet rs =
                        c.createStatement().executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            assertTrue(rs.next());
            assertEquals(18, rs.getInt(1));
        }
    }

    @Test
    void clientConfigPointsQuarkusAtTheRealServer(DevStack stack) {
        var config = stack.clientConfig("app");
        assertEquals(
                "postgresql://127.0.0.1:" + stack.postgres().port() + "/app",
                config.get("quarkus.datasource.reactive.url"));
        assertEquals(stack.postgres().jdbcUrl("app"), config.get("quarkus.datasource.jdbc.url"));
        assertFalse(config.containsKey("kafka.bootstrap.servers"));
    }
}
