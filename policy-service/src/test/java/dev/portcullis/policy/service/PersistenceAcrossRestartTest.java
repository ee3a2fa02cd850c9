package dev.portcullis.policy.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.SharedDevStack;
import dev.portcullis.devstack.quarkus.DevStackTestResource;
import dev.portcullis.policy.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * A start against a store that an earlier run left behind: what that run stored is active, and a
 * bootstrap document that run deleted is not brought back, while one never seen is stored.
 * (The earlier run is simulated by writing its rows before this application starts; the rows are
 * exactly what PolicyService writes, as PolicyResourceTest checks.)
 */
@QuarkusTest
@TestProfile(PersistenceAcrossRestartTest.EarlierRun.class)
@QuarkusTestResource(
        value = DevStackTestResource.class,
        initArgs = {
            @ResourceArg(name = "components", value = "postgres,kafka,keycloak"),
            @ResourceArg(name = "database", value = "policy")
        })
class PersistenceAcrossRestartTest {

    static final String STORED = """
            rules:
              - { id: restart-stored, condition: "agent == 'restart-probe'", effect: deny, message: stored earlier }
            """;

    public static class EarlierRun implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Seed.class));
        }
    }

    /** Writes the store as an earlier run would have left it, before the application starts. */
    public static class Seed implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            DevStack stack = SharedDevStack.ensure(Component.POSTGRES);
            stack.postgres().createDatabase("policy");
            Flyway.configure()
                    .dataSource(
                            stack.postgres().jdbcUrl("policy"),
                            "postgres",
                            stack.postgres().superPassword())
                    .load()
                    .migrate();
            stack.postgres()
                    .execute(
                            "policy",
                            "DELETE FROM policy WHERE id IN (" + SEEDED + ")",
                            "DELETE FROM policy_change WHERE policy_id IN (" + SEEDED + ")",
                            // shipped by an earlier release, untouched since: upgraded to this release's text
                            "INSERT INTO policy (id, version, raw, updated_at, updated_by) VALUES ('restart-shipped', 1, '"
                                    + rule("restart-shipped-old", "restart-shipped-probe", "review")
                                    + "', now(), 'bootstrap')",
                            "INSERT INTO policy_change (policy_id, operation, version, changed_by, changed_at) "
                                    + "VALUES ('restart-shipped', 'BOOTSTRAP', 1, 'bootstrap', now())",
                            // shipped, then changed by an admin: the admin's text stays
                            "INSERT INTO policy (id, version, raw, updated_at, updated_by) VALUES ('restart-edited', 2, '"
                                    + rule("restart-edited-by-admin", "restart-edited-probe", "review")
                                    + "', now(), 'alice-admin')",
                            "INSERT INTO policy_change (policy_id, operation, version, changed_by, changed_at) "
                                    + "VALUES ('restart-edited', 'BOOTSTRAP', 1, 'bootstrap', now())",
                            "INSERT INTO policy_change (policy_id, operation, version, changed_by, changed_at) "
                                    + "VALUES ('restart-edited', 'PUT', 2, 'alice-admin', now())",
                            "INSERT INTO policy (id, version, raw, updated_at, updated_by) VALUES ('restart-probe', 4, '"
                                    + STORED.replace("'", "''") + "', now(), 'alice-admin')",
                            "INSERT INTO policy_change (policy_id, operation, version, changed_by, changed_at) "
                                    + "VALUES ('restart-probe', 'PUT', 4, 'alice-admin', now())",
                            "INSERT INTO policy_change (policy_id, operation, version, changed_by, changed_at) "
                                    + "VALUES ('restart-deleted', 'BOOTSTRAP', 1, 'bootstrap', now())",
                            "INSERT INTO policy_change (policy_id, operation, previous_version, changed_by, changed_at) "
                                    + "VALUES ('restart-deleted', 'DELETE', 1, 'alice-admin', now())");
            try {
                Path dir = Files.createTempDirectory("policy-bootstrap");
                Files.writeString(
                        dir.resolve("restart-deleted.yaml"), rule("restart-deleted-rule", "restart-probe", "review"));
                Files.writeString(
                        dir.resolve("restart-new.yaml"), rule("restart-new-rule", "restart-new-probe", "review"));
                Files.writeString(
                        dir.resolve("restart-shipped.yaml"),
                        rule("restart-shipped-new", "restart-shipped-probe", "deny"));
                Files.writeString(
                        dir.resolve("restart-edited.yaml"),
                        rule("restart-edited-shipped", "restart-edited-probe", "deny"));
                return Map.of("portcullis.policy.bootstrap.dir", dir.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void stop() {}
    }

    static final String SEEDED =
            "'restart-probe', 'restart-deleted', 'restart-new', 'restart-shipped', 'restart-edited'";

    /** A document with one rule for {@code agent}; it has no single quote, so it sits in an SQL literal as is. */
    static String rule(String id, String agent, String effect) {
        return "rules:\n  - { id: %s, condition: \"agent == \\\"%s\\\"\", effect: %s, message: m }\n"
                .formatted(id, agent, effect);
    }

    static String decide(String agent) {
        return given().auth()
                .oauth2(Tokens.sessionProxy())
                .body("{\"input\": {\"identity\": {\"agent\": \"" + agent
                        + "\"}, \"request\": {\"protocol\": \"ssh\"}}}")
                .post("/v1/data/portcullis/decision/rules")
                .then()
                .statusCode(200)
                .extract()
                .path("result")
                .toString();
    }

    @Test
    void whatAnEarlierRunStoredIsActiveAfterStart() {
        given().auth()
                .oauth2(Tokens.admin())
                .get("/v1/policies/restart-probe")
                .then()
                .statusCode(200)
                .body("result.version", is(4))
                .body("result.updated_by", is("alice-admin"));
        org.junit.jupiter.api.Assertions.assertEquals("[restart-stored]", decide("restart-probe"));
    }

    @Test
    void aDeletedBootstrapDocumentStaysDeletedAndANewOneIsStored() {
        given().auth()
                .oauth2(Tokens.admin())
                .get("/v1/policies")
                .then()
                .statusCode(200)
                .body("result.id", not(hasItem("restart-deleted")))
                .body("result.id", hasItem("restart-new"));
        given().auth()
                .oauth2(Tokens.admin())
                .get("/v1/policies/restart-new/history")
                .then()
                .body("result[0].operation", is("bootstrap"))
                .body("result[0].changed_by", is("bootstrap"));
        org.junit.jupiter.api.Assertions.assertEquals("[restart-new-rule]", decide("restart-new-probe"));
    }

    @Test
    void aShippedDocumentNoAdminChangedIsUpgradedAndAnEditedOneIsKept() {
        given().auth()
                .oauth2(Tokens.admin())
                .get("/v1/policies/restart-shipped")
                .then()
                .statusCode(200)
                .body("result.version", is(2))
                .body("result.updated_by", is("bootstrap"));
        given().auth()
                .oauth2(Tokens.admin())
                .get("/v1/policies/restart-shipped/history")
                .then()
                .body("result.operation", hasItem("upgrade"));
        org.junit.jupiter.api.Assertions.assertEquals("[restart-shipped-new]", decide("restart-shipped-probe"));

        given().auth()
                .oauth2(Tokens.admin())
                .get("/v1/policies/restart-edited")
                .then()
                .statusCode(200)
                .body("result.version", is(2))
                .body("result.updated_by", is("alice-admin"));
        org.junit.jupiter.api.Assertions.assertEquals("[restart-edited-by-admin]", decide("restart-edited-probe"));
    }
}
