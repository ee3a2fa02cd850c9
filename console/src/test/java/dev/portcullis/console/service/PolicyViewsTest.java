package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.console.client.BrokerClient;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyViewsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRejectedEditListsEachCompileErrorAtLineAndColumn() throws Exception {
        PolicyViews.Saved s = PolicyViews.saved(new BrokerClient.Reply(
                400,
                JSON.readTree(
                        "{\"code\":\"invalid_parameter\",\"message\":\"error(s) occurred while compiling module(s)\","
                                + "\"errors\":[{\"code\":\"rego_compile_error\",\"message\":\"unknown field efect\","
                                + "\"location\":{\"file\":\"p1\",\"rule\":\"r1\",\"row\":7,\"col\":5}},"
                                + "{\"code\":\"rego_parse_error\",\"message\":\"bad yaml\",\"location\":{\"file\":\"p1\",\"row\":3}},"
                                + "{\"code\":\"x\",\"message\":\"no place\"}]}")));
        assertEquals(400, s.status());
        assertEquals("error(s) occurred while compiling module(s)", s.detail());
        assertEquals(
                List.of(
                        new PolicyViews.CompileError("7:5", "r1", "unknown field efect"),
                        new PolicyViews.CompileError("3", "", "bad yaml"),
                        new PolicyViews.CompileError("", "", "no place")),
                s.errors());
        assertEquals(
                new PolicyViews.Saved(200, "", List.of()),
                PolicyViews.saved(new BrokerClient.Reply(200, JSON.readTree("{}"))));
    }

    @Test
    void eachChangeIsDiffedAgainstTheTextAfterItNewestFirst() throws Exception {
        List<PolicyViews.Change> h = PolicyViews.history(
                new BrokerClient.Reply(
                        200,
                        JSON.readTree("{\"result\":[{\"sequence\":9,\"operation\":\"put\",\"version\":2,"
                                + "\"previous_raw\":\"a: 1\",\"changed_by\":\"alice\",\"changed_at\":\"t2\"},"
                                + "{\"sequence\":4,\"operation\":\"put\",\"version\":1,\"previous_raw\":null,"
                                + "\"changed_by\":\"bootstrap\",\"changed_at\":\"t1\"}]}")),
                "a: 2");
        assertEquals(
                List.of(
                        new PolicyViews.Change(
                                9,
                                "put",
                                2,
                                "alice",
                                "t2",
                                List.of(new LineDiff.Line('-', "a: 1"), new LineDiff.Line('+', "a: 2")),
                                false),
                        new PolicyViews.Change(
                                4, "put", 1, "bootstrap", "t1", List.of(new LineDiff.Line('+', "a: 1")), false)),
                h);
    }

    @Test
    void aRefusedListKeepsPolicyServicesStatusAndMessage() throws Exception {
        assertEquals(
                new PolicyViews.Listing(401, "missing or invalid token", List.of()),
                PolicyViews.listing(new BrokerClient.Reply(
                        401, JSON.readTree("{\"code\":\"unauthorized\",\"message\":\"missing or invalid token\"}"))));
        PolicyViews.Listing ok = PolicyViews.listing(new BrokerClient.Reply(
                200,
                JSON.readTree("{\"result\":[{\"id\":\"default-ssh\",\"raw\":\"x\",\"version\":3,"
                        + "\"updated_at\":\"t\",\"updated_by\":\"alice\"}]}")));
        assertEquals(List.of(new PolicyViews.Row("default-ssh", 3, "t", "alice")), ok.policies());
    }
}
