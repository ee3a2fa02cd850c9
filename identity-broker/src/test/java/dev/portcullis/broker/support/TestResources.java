package dev.portcullis.broker.support;

import dev.portcullis.devstack.quarkus.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * Real PostgreSQL, Kafka and Keycloak from dev-stack plus the test connections file and control-event signing key. Declared once
 * and not restricted to a class, so they apply to every {@code @QuarkusTest} of the module and the
 * application starts once.
 */
@QuarkusTestResource(
        value = DevStackTestResource.class,
        initArgs = {
            @ResourceArg(name = "components", value = "postgres,kafka,keycloak"),
            @ResourceArg(name = "database", value = "broker")
        })
@QuarkusTestResource(ConnectionsFileResource.class)
@QuarkusTestResource(ControlEventKeys.class)
public final class TestResources {

    private TestResources() {}
}
