package dev.portcullis.policy.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** The document at {@code data.portcullis.decision} (DESIGN.md, "Policy"). */
@JsonPropertyOrder({ "action", "reasons", "rules", "mask", "record" })
public record Decision(Action action, List<String> reasons, List<String> rules, List<MaskDirective> mask,
        boolean record) {
}
