package dev.portcullis.recorder.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class JsonSupportTest {

    @Test
    void decimalsKeepTheDigitsTheProducerSent() throws JsonProcessingException {
        String json = "{\"a\":1.50,\"b\":1E+2,\"c\":0.000,\"d\":12345678901234567890.123456789}";
        JsonNode tree = JsonSupport.MAPPER.readTree(json);
        assertThat(tree.get("a").decimalValue()).hasToString("1.50");
        assertThat(tree.get("c").decimalValue()).hasToString("0.000");
        assertThat(JsonSupport.MAPPER.writeValueAsString(tree))
                .isEqualTo("{\"a\":1.50,\"b\":1E+2,\"c\":0.000,\"d\":12345678901234567890.123456789}");
    }

    @Test
    void duplicateKeysAreRefused() {
        assertThatThrownBy(() -> JsonSupport.MAPPER.readTree("{\"a\":1,\"a\":2}"))
                .isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("Duplicate field 'a'");
    }
}
