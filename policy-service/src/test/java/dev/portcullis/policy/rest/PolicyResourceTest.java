package dev.portcullis.policy.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.portcullis.devstack.quarkus.DevStackTestResource;
import dev.portcullis.policy.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(
        value = DevStackTestResource.class,
        initArgs = {
            @ResourceArg(name = "components", value = "postgres,kafka,keycloak"),
            @ResourceArg(name = "database", value = "policy")
        })
class PolicyResourceTest {

    static final String PROBE_INPUT = """
            {"input": {"identity": {"agent": "%s"}, "connection": {"type": "ssh", "tags": {"env": "dev"}},
                       "request": {"protocol": "ssh", "kind": "exec", "command": "uptime"}}}
            """;

    static RequestSpecification asAdmin() {
        return given().auth().oauth2(Tokens.admin());
    }

    static String doc(String ruleId, String agent, String effect) {
        return """
                description: test policy
                rules:
                  - id: %s
                    condition: "agent == '%s'"
                    effect: %s
                    message: probe rule
                """.formatted(ruleId, agent, effect);
    }

    static String decide(String agent) {
        return given().auth()
                .oauth2(Tokens.sessionProxy())
                .body(PROBE_INPUT.formatted(agent))
                .post("/v1/data/portcullis/decision/action")
                .then()
                .statusCode(200)
                .extract()
                .path("result");
    }

    @Test
    void putGetListDeleteInOpaShapeAndTheDecisionFollows() {
        String agent = "mgmt-probe";
        org.junit.jupiter.api.Assertions.assertEquals("allow", decide(agent));

        asAdmin()
                .contentType("text/plain")
                .body(doc("mgmt-probe-deny", agent, "deny"))
                .put("/v1/policies/mgmt-probe")
                .then()
                .statusCode(200)
                .body("$", anEmptyMap());
        org.junit.jupiter.api.Assertions.assertEquals("deny", decide(agent), "active without restart");

        asAdmin()
                .get("/v1/policies/mgmt-probe")
                .then()
                .statusCode(200)
                .body("result.id", is("mgmt-probe"))
                .body("result.raw", containsString("mgmt-probe-deny"))
                .body("result.ast.rules[0].id", is("mgmt-probe-deny"))
                .body("result.version", is(1))
                .body("result.updated_by", is("alice-admin"))
                .body("result.updated_at", notNullValue());
        asAdmin()
                .get("/v1/policies")
                .then()
                .statusCode(200)
                .body("result.id", hasItems("default-postgres", "default-ssh", "mgmt-probe"));

        asAdmin()
                .body(doc("mgmt-probe-deny", agent, "review"))
                .put("/v1/policies/mgmt-probe")
                .then()
                .statusCode(200);
        org.junit.jupiter.api.Assertions.assertEquals("review", decide(agent));
        asAdmin().get("/v1/policies/mgmt-probe").then().body("result.version", is(2));

        asAdmin().delete("/v1/policies/mgmt-probe").then().statusCode(200).body("$", anEmptyMap());
        org.junit.jupiter.api.Assertions.assertEquals("allow", decide(agent));
        asAdmin().get("/v1/policies/mgmt-probe").then().statusCode(404).body("code", is("resource_not_found"));
        asAdmin().delete("/v1/policies/mgmt-probe").then().statusCode(404).body("code", is("resource_not_found"));

        // every change is audited: who, when, previous version
        asAdmin()
                .get("/v1/policies/mgmt-probe/history")
                .then()
                .statusCode(200)
                .body("result", hasSize(3))
                .body("result.operation", org.hamcrest.Matchers.contains("put", "put", "delete"))
                .body("result.changed_by", org.hamcrest.Matchers.everyItem(is("alice-admin")))
                .body("result[0].previous_version", nullValue())
                .body("result[1].previous_version", is(1))
                .body("result[1].previous_raw", containsString("effect: deny"))
                .body("result[2].previous_version", is(2))
                .body("result[2].changed_at", notNullValue());
    }

    @Test
    void aDocumentThatDoesNotCompileIsRefusedAndNothingIsApplied() {
        String agent = "compile-probe";
        asAdmin()
                .body(doc("compile-probe-review", agent, "review"))
                .put("/v1/policies/compile-probe")
                .then()
                .statusCode(200);
        String broken = """
                rules:
                  - id: compile-probe-deny
                    condition: "agent == '%s'"
                    effect: deny
                    message: would deny
                  - id: compile-probe-broken
                    condition: "agent == 'x' && statement_typez.size() > 0"
                    effect: review
                    message: broken
                """.formatted(agent);
        asAdmin()
                .body(broken)
                .put("/v1/policies/compile-probe")
                .then()
                .statusCode(400)
                .body("code", is("invalid_parameter"))
                // the document's line:col of statement_typez (line 7: the condition's line, column 33)
                .body("message", containsString("rule compile-probe-broken at 7:33"))
                .body("errors[0].code", is("cel_compile_error"))
                .body("errors[0].location.file", is("compile-probe"))
                .body("errors[0].location.rule", is("compile-probe-broken"))
                .body("errors[0].location.row", is(7))
                .body("errors[0].location.col", is(33))
                .body("errors[0].message", containsString("statement_typez"));
        // the valid rule of the refused document was not applied, and the stored version is unchanged
        org.junit.jupiter.api.Assertions.assertEquals("review", decide(agent));
        asAdmin()
                .get("/v1/policies/compile-probe")
                .then()
                .body("result.version", is(1))
                .body("result.raw", not(containsString("compile-probe-broken")));
        asAdmin().delete("/v1/policies/compile-probe").then().statusCode(200);
    }

    @Test
    void ruleIdsMustBeUniqueAcrossPolicies() {
        asAdmin()
                .body(doc("pg-drop-forbidden", "x", "deny"))
                .put("/v1/policies/clash-probe")
                .then()
                .statusCode(400)
                .body("errors[0].location.rule", is("pg-drop-forbidden"))
                .body("errors[0].message", containsString("default-postgres"));
    }

    @Test
    void badDocumentsAndIdsAre400() {
        asAdmin()
                .body("rules: [ {")
                .put("/v1/policies/yaml-probe")
                .then()
                .statusCode(400)
                .body("code", is("invalid_parameter"))
                .body("errors[0].location.row", notNullValue());
        asAdmin()
                .body(doc("r", "x", "deny"))
                .put("/v1/policies/Not An Id")
                .then()
                .statusCode(400);
        asAdmin().body("").put("/v1/policies/empty-probe").then().statusCode(400);
        asAdmin()
                .body("id: other\nrules: []")
                .put("/v1/policies/id-probe")
                .then()
                .statusCode(400)
                .body("message", containsString("differs"));
    }

    @Test
    void onlyPortcullisAdminsManagePolicies() {
        given().get("/v1/policies").then().statusCode(401).body("code", is("unauthorized"));
        given().auth()
                .oauth2(Tokens.auditor())
                .get("/v1/policies")
                .then()
                .statusCode(403)
                .body("code", is("unauthorized"));
        given().auth()
                .oauth2(Tokens.sessionProxy())
                .body(doc("x", "y", "allow"))
                .put("/v1/policies/sneaky")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(Tokens.auditor())
                .delete("/v1/policies/default-postgres")
                .then()
                .statusCode(403);
        asAdmin().get("/v1/policies/default-postgres").then().statusCode(200);
    }

    @Test
    void changesAreStoredInPostgres() throws Exception {
        asAdmin()
                .body(doc("pg-store-probe", "store-probe", "review"))
                .put("/v1/policies/store-probe")
                .then()
                .statusCode(200);
        var config = ConfigProvider.getConfig();
        try (Connection c = DriverManager.getConnection(
                        config.getValue("quarkus.datasource.jdbc.url", String.class),
                        config.getValue("quarkus.datasource.username", String.class),
                        config.getValue("quarkus.datasource.password", String.class));
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "select p.version, p.updated_by, (select count(*) from policy_change where policy_id = p.id) "
                                        + "from policy p where p.id = 'store-probe'")) {
            org.junit.jupiter.api.Assertions.assertTrue(rs.next(), "row stored");
            org.junit.jupiter.api.Assertions.assertEquals(1, rs.getLong(1));
            org.junit.jupiter.api.Assertions.assertEquals("alice-admin", rs.getString(2));
            org.junit.jupiter.api.Assertions.assertEquals(1, rs.getLong(3));
        }
        asAdmin().delete("/v1/policies/store-probe").then().statusCode(200);
        asAdmin().get("/v1/policies").then().body("result.id", not(hasItem("store-probe")));
    }
}
