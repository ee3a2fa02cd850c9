package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.console.config.ConsoleConfig;
import dev.portcullis.console.connection.ConnectionCatalog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConnectionViewsTest {

    @Test
    void eachConnectionShowsTypeAccessLevelsTagsApproversAndLimitButNoAddressOrCredentials() throws Exception {
        Path file = Path.of(getClass().getResource("/connections.yaml").toURI());
        ConsoleConfig config = new ConsoleConfig() {
            @Override
            public Connections connections() {
                return () -> Optional.of(file);
            }

            @Override
            public Console console() {
                return null;
            }
        };
        List<ConnectionViews.Row> rows = new ConnectionViews(new ConnectionCatalog(config)).all();
        assertEquals(
                List.of(
                        new ConnectionViews.Row(
                                "pg-prod",
                                "postgres",
                                List.of("read", "write", "admin"),
                                Map.of("env", "prod", "team", "<b>data</b>"),
                                List.of("dba"),
                                "2 h 30 min"),
                        new ConnectionViews.Row("ssh-bastion", "ssh", List.of("read"), Map.of(), List.of(), "")),
                rows);
        // a record's components are all the page can render: nothing of the address or credentials is in them
        assertEquals(
                List.of("name", "type", "accessLevels", "tags", "approvers", "maxSessionDuration"),
                java.util.Arrays.stream(ConnectionViews.Row.class.getRecordComponents())
                        .map(java.lang.reflect.RecordComponent::getName)
                        .toList());
    }
}
