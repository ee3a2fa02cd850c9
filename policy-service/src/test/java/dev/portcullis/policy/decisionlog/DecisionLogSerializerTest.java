package dev.portcullis.policy.decisionlog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** How a decision log's input is masked: sensitive keys whole, detected values in any string. */
class DecisionLogSerializerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyDetectedValueIsReplacedByItsDetectorsName() {
        assertEquals(
                "INSERT INTO p VALUES ('[masked:email]', '[masked:credit_card]', '[masked:cloud_key]', '[masked:jwt]')",
                DecisionLogSerializer.maskValues("INSERT INTO p VALUES ('a.b@corp.example', '4111 1111 1111 1111', "
                        + "'AKIAIOSFODNN7EXAMPLE', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')"));
        assertEquals("id 4111111111111112 stays", DecisionLogSerializer.maskValues("id 4111111111111112 stays"));
    }

    @Test
    void valuesUnderSensitiveKeysAreMaskedWholeByPartOfTheKey() throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            DecisionLogSerializer.writeMasked(g, JSON.readTree("""
                            {"db_password":"hunter2","Authorization":"Basic eA==","X-Api-Key":7,"agent":"ci",
                             "nested":{"refresh_token":"r"},"secrets":{"k":"v"}}"""));
        }
        assertEquals(
                "{\"db_password\":\"[masked]\",\"Authorization\":\"[masked]\",\"X-Api-Key\":\"[masked]\","
                        + "\"agent\":\"ci\",\"nested\":{\"refresh_token\":\"[masked]\"},\"secrets\":{\"k\":\"v\"}}",
                out.toString());
    }
}
