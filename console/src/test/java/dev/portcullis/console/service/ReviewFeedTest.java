package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.junit.jupiter.api.Test;

class ReviewFeedTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theStatementIsTheRequestsSqlCommandOrHttpCall() throws Exception {
        assertEquals(
                "DELETE FROM orders <script>x</script>",
                ReviewFeed.statement(
                        json("{\"protocol\":\"postgres\",\"text\":\"DELETE FROM orders <script>x</script>\"}")));
        assertEquals("sudo ls", ReviewFeed.statement(json("{\"protocol\":\"ssh\",\"command\":\"sudo ls\"}")));
        assertEquals(
                "POST /api/v1/namespaces/a/pods/b/exec",
                ReviewFeed.statement(
                        json(
                                "{\"protocol\":\"kubernetes\",\"method\":\"POST\",\"path\":\"/api/v1/namespaces/a/pods/b/exec\"}")));
        // anything else: the recorded request as JSON text
        assertEquals("{\"protocol\":\"x\",\"n\":1}", ReviewFeed.statement(json("{\"protocol\":\"x\",\"n\":1}")));
        assertEquals("", ReviewFeed.statement(MissingNode.getInstance()));
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }
}
