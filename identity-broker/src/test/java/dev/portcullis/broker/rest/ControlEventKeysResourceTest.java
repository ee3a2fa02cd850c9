package dev.portcullis.broker.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.broker.support.ControlEventKeys;
import dev.portcullis.broker.support.Tokens;
import dev.portcullis.contracts.recording.SigningKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/** The broker publishes the public key of its control-event signatures to admins and auditors, and to no one else. */
@QuarkusTest
class ControlEventKeysResourceTest {

    @Test
    void anAdminReadsThePublicKeyTheBrokerSignsWith() throws Exception {
        JsonPath keys = given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .get("/v1/keys/control-events")
                .then()
                .statusCode(200)
                .body("$", hasSize(1))
                .extract()
                .jsonPath();
        String expected = SigningKeys.keyId(ControlEventKeys.pair().getPublic());
        assertEquals(expected, keys.getString("[0].key_id"));
        assertEquals("Ed25519", keys.getString("[0].alg"));
        assertEquals(ControlEventKeys.pair().getPublic(), SigningKeys.parsePublicKey(keys.getString("[0].pem")));
        assertEquals(ControlEventKeys.pair().getPublic(), SigningKeys.parsePublicKey(keys.getString("[0].public_key")));
        given().auth()
                .oauth2(Tokens.user(Tokens.AUDITOR))
                .get("/v1/keys/control-events")
                .then()
                .statusCode(200);
    }

    @Test
    void anApproverOrAnAnonymousCallerIsRefused() {
        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER))
                .get("/v1/keys/control-events")
                .then()
                .statusCode(403);
        given().get("/v1/keys/control-events").then().statusCode(401);
    }
}
