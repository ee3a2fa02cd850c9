package dev.portcullis.proxy.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recorded form of a PostgreSQL request ({@code PgRecording.maskedRequest}, ADR 0036). */
class PgRecordingTest {

    private final PgRecording recording = new PgRecording(PgbenchFixtures.masker());

    private static JsonObject query(String text, String... statements) {
        JsonArray st = new JsonArray();
        for (String s : statements) {
            st.add(new JsonObject()
                    .put("type", "SELECT")
                    .put("tables", new JsonArray().add("t"))
                    .put("read_only", true)
                    .put("text", s));
        }
        return new JsonObject()
                .put("protocol", "postgres")
                .put("kind", "query")
                .put("text", text)
                .put("statements", st);
    }

    private JsonArray recordedStatements(JsonObject request) {
        return recording.maskedRequest(request, List.of()).getJsonArray("statements");
    }

    @Test
    void aStatementThatIsTheRequestOrItButForItsSemicolonIsNotRecordedTwice() {
        for (String text : List.of("SELECT a FROM t WHERE id = 1", "SELECT a FROM t WHERE id = 1;")) {
            JsonObject recorded = recording.maskedRequest(query(text, "SELECT a FROM t WHERE id = 1"), List.of());
            assertThat(recorded.getString("text")).isEqualTo(text);
            assertThat(recorded.getJsonArray("statements").getJsonObject(0).containsKey("text"))
                    .as(text)
                    .isFalse();
        }
    }

    @Test
    void anyOtherDifferenceKeepsTheStatementsOwnText() {
        // whitespace or a comment after the terminator, two terminators, a second statement, a prefix that differs
        for (String text : List.of(
                "SELECT a FROM t WHERE id = 1 ;",
                "SELECT a FROM t WHERE id = 1; ",
                "SELECT a FROM t WHERE id = 1;;",
                "SELECT a FROM t WHERE id = 1; -- done",
                "SELECT a FROM t WHERE id = 12",
                "select a FROM t WHERE id = 1;")) {
            assertThat(recordedStatements(query(text, "SELECT a FROM t WHERE id = 1"))
                            .getJsonObject(0)
                            .getString("text"))
                    .as(text)
                    .isEqualTo("SELECT a FROM t WHERE id = 1");
        }
        JsonArray two = recordedStatements(query("SELECT 1; SELECT 2;", "SELECT 1", "SELECT 2"));
        assertThat(two.getJsonObject(0).getString("text")).isEqualTo("SELECT 1");
        assertThat(two.getJsonObject(1).getString("text")).isEqualTo("SELECT 2");
    }

    @Test
    void aStatementsOwnTextGoesThroughTheDetectors() {
        String card = "4111111111111111";
        JsonArray st = recordedStatements(
                query("PREPARE p AS SELECT '" + card + "'; EXECUTE p", "SELECT '" + card + "'", "EXECUTE p"));
        assertThat(st.getJsonObject(0).getString("text")).doesNotContain(card);
    }
}
