package dev.portcullis.devstack.quarkus;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.SharedDevStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Arrays;
import java.util.Map;

/**
 * Quarkus test resource that points the application under test at real dependencies:
 *
 * <pre>{@code
 * @QuarkusTestResource(value = DevStackTestResource.class, initArgs = {
 *         @ResourceArg(name = "components", value = "postgres,kafka,keycloak"),
 *         @ResourceArg(name = "database", value = "policy") })
 * }</pre>
 *
 * {@code database} is created (owned by the superuser) when PostgreSQL is among the components.
 * The stack is the JVM-wide shared one, so a module's test classes start each component once.
 */
public final class DevStackTestResource implements QuarkusTestResourceLifecycleManager {

    private Component[] components = {};
    private String database = "postgres";

    @Override
    public void init(Map<String, String> initArgs) {
        String list = initArgs.getOrDefault("components", "");
        components = Arrays.stream(list.split(","))
                .filter(s -> !s.isBlank())
                .map(Component::fromId)
                .toArray(Component[]::new);
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        DevStack stack = SharedDevStack.ensure(components);
        if (stack.isRunning(Component.POSTGRES) && !"postgres".equals(database)) {
            stack.postgres().createDatabase(database);
        }
        return stack.clientConfig(database);
    }

    @Override
    public void stop() {
        // the shared stack stops with the JVM, after every test class of the run has used it
    }
}
