package dev.portcullis.policy.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One masking instruction for session-proxy: either a result column, given as a case-insensitive
 * glob ({@code *} matches any run of characters, e.g. {@code *email*}), or a value detector
 * ({@code credit_card}, {@code email}, {@code cloud_key}, {@code jwt}), with a strategy
 * ({@code redact}, {@code last4}, {@code hash}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
// native: serialized inside Decision.mask (and alone for /v1/data/portcullis/decision/mask/N), never via a REST
// signature
@RegisterForReflection
public record MaskDirective(String column, String detector, String strategy) {}
