package dev.portcullis.policy.engine;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.portcullis.contracts.detect.Detector;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * The CEL environment every rule condition is compiled in: the variables and helper functions a
 * rule may use. Conditions must be boolean.
 *
 * <p>Variables (always present, empty when the input lacks them, so rules never fail on a
 * missing field):
 * <ul>
 * <li>{@code input} – the whole input document, {@code map(string, dyn)}</li>
 * <li>{@code protocol}, {@code kind}, {@code text}, {@code command}, {@code agent}, {@code connection} – strings</li>
 * <li>{@code statements} – {@code list(map(string, dyn))}, each with {@code type} (upper case),
 * {@code tables} (lower case), {@code has_where}, {@code text}, {@code read_only} (false unless the input says
 * true), and the lists {@code not_read_only}, {@code reads}, {@code writes}, {@code calls}, {@code settings},
 * {@code predicate_columns} (empty when absent)</li>
 * <li>{@code statement_types}, {@code tables}, {@code groups}, {@code scopes} – {@code list(string)}</li>
 * <li>{@code tags} – connection tags, {@code map(string, string)}</li>
 * <li>{@code http} – {@code method, path, verb, resource, namespace, subresource} as {@code map(string, string)}</li>
 * <li>{@code now} – the decision time (the input's {@code time}, else the server clock), a timestamp</li>
 * </ul>
 * Functions, besides CEL's standard library ({@code matches} is RE2) and the strings extension:
 * <ul>
 * <li>{@code in_time_window(timestamp, "HH:MM", "HH:MM", "Zone/Id")} – start inclusive, end
 * exclusive, wrapping midnight when end ≤ start</li>
 * <li>{@code detect(string, "credit_card"|"email"|"cloud_key"|"jwt")} – {@code contracts}' {@link Detector}s, the
 * ones session-proxy masks with; an unknown name is an evaluation error</li>
 * </ul>
 */
public final class CelEnvironment {

    public static final String INPUT = "input";
    public static final String PROTOCOL = "protocol";
    public static final String KIND = "kind";
    public static final String TEXT = "text";
    public static final String COMMAND = "command";
    public static final String AGENT = "agent";
    public static final String CONNECTION = "connection";
    public static final String STATEMENTS = "statements";
    public static final String STATEMENT_TYPES = "statement_types";
    public static final String TABLES = "tables";
    public static final String GROUPS = "groups";
    public static final String SCOPES = "scopes";
    public static final String TAGS = "tags";
    public static final String HTTP = "http";
    public static final String NOW = "now";

    private static final Cel CEL = build();

    private CelEnvironment() {}

    public static Cel cel() {
        return CEL;
    }

    private static Cel build() {
        // current() evaluates timestamps, durations and bytes to Java's own types (Instant, Duration, …), as the
        // deprecated evaluateCanonicalTypesToNativeValues(true) did before 0.14. The planner runtime requires
        // heterogeneous numeric comparisons (1 < 2.5, as the CEL specification has them); it refuses to build without.
        CelOptions options =
                CelOptions.current().enableHeterogeneousNumericComparisons(true).build();
        ListType strings = ListType.create(SimpleType.STRING);
        MapType stringMap = MapType.create(SimpleType.STRING, SimpleType.STRING);
        return CelFactory.plannerCelBuilder()
                .setOptions(options)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addCompilerLibraries(CelExtensions.strings())
                .addRuntimeLibraries(CelExtensions.strings())
                .addVar(INPUT, MapType.create(SimpleType.STRING, SimpleType.DYN))
                .addVar(PROTOCOL, SimpleType.STRING)
                .addVar(KIND, SimpleType.STRING)
                .addVar(TEXT, SimpleType.STRING)
                .addVar(COMMAND, SimpleType.STRING)
                .addVar(AGENT, SimpleType.STRING)
                .addVar(CONNECTION, SimpleType.STRING)
                .addVar(STATEMENTS, ListType.create(MapType.create(SimpleType.STRING, SimpleType.DYN)))
                .addVar(STATEMENT_TYPES, strings)
                .addVar(TABLES, strings)
                .addVar(GROUPS, strings)
                .addVar(SCOPES, strings)
                .addVar(TAGS, stringMap)
                .addVar(HTTP, stringMap)
                .addVar(NOW, SimpleType.TIMESTAMP)
                .addFunctionDeclarations(
                        CelFunctionDecl.newFunctionDeclaration(
                                "in_time_window",
                                CelOverloadDecl.newGlobalOverload(
                                        "in_time_window_timestamp_string_string_string",
                                        SimpleType.BOOL,
                                        SimpleType.TIMESTAMP,
                                        SimpleType.STRING,
                                        SimpleType.STRING,
                                        SimpleType.STRING)),
                        CelFunctionDecl.newFunctionDeclaration(
                                "detect",
                                CelOverloadDecl.newGlobalOverload(
                                        "detect_string_string", SimpleType.BOOL, SimpleType.STRING, SimpleType.STRING)))
                .addFunctionBindings(
                        CelFunctionBinding.from(
                                "in_time_window_timestamp_string_string_string",
                                List.of(Instant.class, String.class, String.class, String.class),
                                args -> inTimeWindow(
                                        (Instant) args[0], (String) args[1], (String) args[2], (String) args[3])),
                        CelFunctionBinding.from(
                                "detect_string_string", String.class, String.class, CelEnvironment::detect))
                .setResultType(SimpleType.BOOL)
                .build();
    }

    static boolean inTimeWindow(Instant at, String start, String end, String zone) throws CelEvaluationException {
        LocalTime from;
        LocalTime to;
        ZoneId zoneId;
        try {
            from = LocalTime.parse(start);
            to = LocalTime.parse(end);
            zoneId = ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new CelEvaluationException("in_time_window: " + e.getMessage());
        }
        LocalTime t = at.atZone(zoneId).toLocalTime();
        if (from.isBefore(to)) {
            return !t.isBefore(from) && t.isBefore(to);
        }
        return !t.isBefore(from) || t.isBefore(to);
    }

    private static boolean detect(String text, String detector) throws CelEvaluationException {
        Optional<Detector> d = Detector.fromId(detector);
        if (d.isEmpty()) {
            throw new CelEvaluationException("detect: unknown detector '" + detector + "', known: " + Detector.ids());
        }
        return d.get().foundIn(text);
    }
}
