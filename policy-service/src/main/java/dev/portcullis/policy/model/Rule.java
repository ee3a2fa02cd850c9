package dev.portcullis.policy.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One rule of a policy document as written. {@code protocols} and {@code tags} narrow where the
 * rule applies before its CEL condition runs (empty = everywhere).
 */
public record Rule(
        String id,
        String description,
        Set<String> protocols,
        Map<String, String> tags,
        String condition,
        Effect effect,
        String message,
        List<MaskDirective> mask) {}
