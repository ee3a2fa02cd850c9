package dev.portcullis.recorder.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

    @Test
    void firstMatchingTagRuleWinsElseDefault() {
        RetentionPolicy p =
                new RetentionPolicy(Duration.ofDays(90), List.of("env=prod:P400D", "tier=gold:P1000D", "env=dev:P7D"));
        assertThat(p.periodFor(Map.of("env", "prod", "tier", "gold"))).isEqualTo(Duration.ofDays(400));
        assertThat(p.periodFor(Map.of("env", "dev"))).isEqualTo(Duration.ofDays(7));
        assertThat(p.periodFor(Map.of())).isEqualTo(Duration.ofDays(90));
        assertThat(p.shortest()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void rejectsMalformedRules() {
        assertThatThrownBy(() -> new RetentionPolicy(Duration.ofDays(1), List.of("prod:P1D")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
