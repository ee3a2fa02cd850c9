package dev.portcullis.proxy.pg.masking;

import static dev.portcullis.proxy.pg.masking.MaskingFixtures.BOOL;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.CATALOG;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.CONTACTS;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.CUSTOMERS;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.DEFAULT_RULES;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.INT4;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.INT8;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.JSON;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.OPAQUE;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.OPAQUE_VIEW;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.ORDERS;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.ORDER_VIEW;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.PG_CLASS;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.PG_STATS;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.SAFE_VIEW;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.STAR;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.TEXT;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.col;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.computed;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.field;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.fn;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.fromCustomers;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.item;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.lineage;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.select;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.wholeRow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.detect.Detector;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.pg.catalog.PgCatalog;
import dev.portcullis.proxy.pg.codec.PgBackendMessages.Field;
import dev.portcullis.proxy.pg.masking.StatementLineage.OutputLineage;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResultMaskPlannerTest {

    private final Masker masker =
            new Masker("pg-masking-test-key-of-32-bytes!".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    private static ResultPlan plan(StatementLineage lineage, Field... fields) {
        return ResultMaskPlanner.plan(DEFAULT_RULES, List.of(fields), null, lineage, CATALOG);
    }

    private static String strategy(ResultPlan p, int i) {
        Masker.ColumnPlan c = p.column(i);
        return c == null ? null : c.columnStrategy();
    }

    /** One computed column of a statement over customers, with the strategy its source demands. */
    static Stream<Arguments> computedFromMaskedSources() {
        return Stream.of(
                // functions
                Arguments.of("replace(email,'@',' at ') AS x", List.of("replace"), item(col("email")), "redact"),
                Arguments.of("reverse(email)", List.of("reverse"), item(col("email")), "redact"),
                Arguments.of(
                        "encode(convert_to(email,'UTF8'),'base64')",
                        List.of("encode", "convert_to"),
                        item(col("email")),
                        "redact"),
                Arguments.of("md5(phone)", List.of("md5"), item(col("phone")), "redact"),
                Arguments.of("translate(phone,'0123','abcd')", List.of("translate"), item(col("phone")), "redact"),
                Arguments.of("lower(customers.email)", List.of("lower"), item(col("customers", "email")), "redact"),
                Arguments.of("left(card_number, 12)", List.of("left"), item(col("card_number")), "last4"),
                Arguments.of("pg_catalog.lower(EMAIL)", List.of(), item(col("EMAIL")), "redact"),
                // casts
                Arguments.of("email::varchar(3)", List.of(), item(col("email")), "redact"),
                Arguments.of("card_number::numeric", List.of(), item(col("card_number")), "last4"),
                Arguments.of("CAST(phone AS bytea)", List.of(), item(col("phone")), "redact"),
                // concatenation
                Arguments.of("name || email", List.of(), item(col("name"), col("email")), "redact"),
                Arguments.of("concat(name, phone)", List.of("concat"), item(col("name"), col("phone")), "redact"),
                Arguments.of("format('%s', email)", List.of("format"), item(col("email")), "redact"),
                Arguments.of(
                        "name || card_number || email",
                        List.of(),
                        item(col("name"), col("card_number"), col("email")),
                        "redact"),
                // aggregates: even a count of a masked column is masked (lineage, not type, decides)
                Arguments.of("string_agg(email, ',')", List.of("string_agg"), item(col("email")), "redact"),
                Arguments.of("array_agg(phone)", List.of("array_agg"), item(col("phone")), "redact"),
                Arguments.of("min(card_number)", List.of("min"), item(col("card_number")), "last4"),
                Arguments.of("count(email)", List.of("count"), item(col("email")), "redact"),
                // CASE
                Arguments.of(
                        "CASE WHEN id > 0 THEN email ELSE name END",
                        List.of(),
                        item(col("id"), col("email"), col("name")),
                        "redact"),
                Arguments.of("CASE WHEN email LIKE 'a%' THEN 1 ELSE 0 END", List.of(), item(col("email")), "redact"),
                Arguments.of("coalesce(phone, name)", List.of("coalesce"), item(col("phone"), col("name")), "redact"),
                // whole rows
                Arguments.of("row_to_json(c)", List.of("row_to_json"), wholeRow("c"), "redact"),
                Arguments.of("c::text", List.of(), wholeRow("c"), "redact"),
                Arguments.of("to_jsonb(customers)", List.of("to_jsonb"), wholeRow("customers"), "redact"),
                Arguments.of("json_agg(customers)", List.of("json_agg"), wholeRow("customers"), "redact"),
                // innocent sources stay clear of column strategies (detectors still run)
                Arguments.of("lower(name)", List.of("lower"), item(col("name")), null),
                Arguments.of("lower(name) AS email", List.of("lower"), item(col("name")), null),
                Arguments.of("count(*)", List.of("count"), item(), null),
                Arguments.of("'x@y.example' AS email", List.of(), item(), null),
                Arguments.of("length(name) + id", List.of("length"), item(col("name"), col("c", "id")), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("computedFromMaskedSources")
    void aComputedColumnCarriesItsSourcesStrategy(
            String expression, List<String> functions, OutputLineage item, String expected) {
        StatementLineage l = select(
                List.of("customers"),
                Map.of("c", "customers"),
                functions.stream().map(MaskingFixtures::fn).toList(),
                item);
        ResultPlan p = plan(l, computed("x"));
        assertNull(p.refusal());
        assertNotNull(p.column(0), "detectors always apply");
        assertEquals(expected, p.column(0).columnStrategy(), expression);
        assertEquals(4, p.column(0).detectors().size(), "the rules' detectors, no more");
    }

    @Test
    void theMaskedValueNeverPassesThroughAComputedColumn() {
        ResultPlan p = plan(fromCustomers(List.of("reverse"), item(col("email"))), computed("x"));
        String out = masker.apply(p.column(0), "moc.elpmaxe@ada");
        assertEquals(Masker.REDACTED, out);
        ResultPlan card = plan(fromCustomers(List.of(), item(col("card_number"))), computed("n"));
        assertEquals("************1111", masker.apply(card.column(0), "4111111111111111"));
    }

    @Test
    void directSourcesAreMatchedByTheSourceColumnNeverTheAlias() {
        StatementLineage l = fromCustomers(List.of(), item(col("email")), item(col("name")), item(col("card_number")));
        // SELECT email AS x, name AS email, card_number AS id FROM customers
        ResultPlan p = plan(
                l, field("x", CUSTOMERS, 3, TEXT), field("email", CUSTOMERS, 2, TEXT), field("id", CUSTOMERS, 5, TEXT));
        assertEquals("redact", strategy(p, 0), "email AS x is still e-mail");
        assertNull(strategy(p, 1), "name AS email: the source decides");
        assertNotNull(p.column(1), "but the detectors still look at it");
        assertEquals("last4", strategy(p, 2));
        assertEquals("ada the admin", masker.apply(p.column(1), "ada the admin"));
        assertEquals(Masker.REDACTED, masker.apply(p.column(1), "ada@example.com"), "the e-mail detector");
    }

    @Test
    void directSourcesNeedNoLineageAtAll() {
        // PostgreSQL resolved sub-selects and CTEs itself: WITH x AS (SELECT email AS e FROM customers) SELECT e FROM x
        ResultPlan p = plan(StatementLineage.UNKNOWN, field("e", CUSTOMERS, 3, TEXT), field("n", CUSTOMERS, 2, TEXT));
        assertEquals("redact", strategy(p, 0));
        assertNull(strategy(p, 1));
        assertEquals(4, p.column(1).detectors().size(), "a known source keeps the rules' detectors");
    }

    @Test
    void aWholeRowSourceIsTheStrictestOfTheTable() {
        // SELECT c FROM customers c: RowDescription has the table OID and attnum 0
        ResultPlan p = plan(StatementLineage.UNKNOWN, field("c", CUSTOMERS, 0, TEXT), field("o", ORDERS, 0, TEXT));
        assertEquals("redact", strategy(p, 0));
        assertNull(strategy(p, 1), "orders has no masked column");
    }

    @Test
    void systemColumnsAndDroppedAttnums() {
        ResultPlan p = plan(
                StatementLineage.UNKNOWN,
                field("ctid", CUSTOMERS, -1, TEXT),
                field("gone", ORDERS, 4, TEXT),
                field("beyond", ORDERS, 9, TEXT));
        assertNull(strategy(p, 0));
        assertEquals("redact", strategy(p, 1), "a dropped attnum is unknown lineage: the decision's strictest");
        assertEquals("redact", strategy(p, 2));
        assertEquals(4, p.column(1).detectors().size(), "every detector");
    }

    @Test
    void viewsAreMaskedByWhatTheyRead() {
        ResultPlan p = plan(
                StatementLineage.UNKNOWN,
                field("contact", CONTACTS, 2, TEXT),
                field("id", CONTACTS, 1, INT4),
                field("name", SAFE_VIEW, 2, TEXT),
                field("total", ORDER_VIEW, 2, TEXT),
                field("x", OPAQUE_VIEW, 2, TEXT));
        assertEquals("redact", strategy(p, 0), "a view renaming email AS contact");
        assertEquals("redact", strategy(p, 1), "strict: the view reads a masked column, so all its columns are masked");
        assertEquals("redact", strategy(p, 2), "strict: pg_depend cannot prove which base column feeds it");
        assertNull(strategy(p, 3), "a view over innocent data");
        assertEquals("redact", strategy(p, 4), "a view calling a user function: the decision's strictest");
    }

    @Test
    void aViewTakesTheStrictestOfItsBaseColumns() {
        List<MaskRule> rules = List.of(new MaskRule("*card*", null, "last4"), new MaskRule("phone", null, "hash"));
        ResultPlan p = ResultMaskPlanner.plan(
                rules, List.of(field("contact", CONTACTS, 2, TEXT)), null, StatementLineage.UNKNOWN, CATALOG);
        assertEquals("hash", strategy(p, 0), "hash is stricter than last4");
    }

    @Test
    void dottedGlobsMatchTableAndSchemaQualifiedSources() {
        List<Field> fields = List.of(
                field("email", CUSTOMERS, 3, TEXT),
                field("phone", CUSTOMERS, 4, TEXT),
                field("name", CUSTOMERS, 2, TEXT),
                field("note", ORDERS, 5, TEXT),
                field("secret_note", MaskingFixtures.APP_CUSTOMERS, 2, TEXT));
        List<MaskRule> rules = List.of(
                new MaskRule("customers.email", null, "hash"),
                new MaskRule("public.customers.ph*", null, "redact"),
                new MaskRule("orders.*", null, "last4"),
                new MaskRule("app.*.secret_*", null, "redact"));
        ResultPlan p = ResultMaskPlanner.plan(rules, fields, null, StatementLineage.UNKNOWN, CATALOG);
        assertEquals("hash", strategy(p, 0));
        assertEquals("redact", strategy(p, 1));
        assertNull(p.column(2));
        assertEquals("last4", strategy(p, 3));
        assertEquals("redact", strategy(p, 4));
        ResultPlan other = ResultMaskPlanner.plan(
                List.of(new MaskRule("orders.email", null, "redact")),
                List.of(field("email", CUSTOMERS, 3, TEXT)),
                null,
                StatementLineage.UNKNOWN,
                CATALOG);
        assertNull(other.column(0), "a rule for another table's column does not match");
    }

    @Test
    void starMixedWithExpressionsMapsFromBothEnds() {
        // SELECT reverse(email), *, lower(name) FROM customers
        StatementLineage l = fromCustomers(List.of("reverse", "lower"), item(col("email")), STAR, item(col("name")));
        Field[] fields = {
            computed("reverse"),
            field("id", CUSTOMERS, 1, INT4),
            field("name", CUSTOMERS, 2, TEXT),
            field("email", CUSTOMERS, 3, TEXT),
            field("phone", CUSTOMERS, 4, TEXT),
            field("card_number", CUSTOMERS, 5, TEXT),
            computed("lower")
        };
        ResultPlan p = plan(l, fields);
        assertEquals("redact", strategy(p, 0));
        assertNull(strategy(p, 1));
        assertNull(strategy(p, 2));
        assertEquals("redact", strategy(p, 3));
        assertEquals("redact", strategy(p, 4));
        assertEquals("last4", strategy(p, 5));
        assertNull(strategy(p, 6), "lower(name) after the star is mapped from the end");
    }

    @Test
    void computedColumnsAStarExpandedToHaveUnknownLineage() {
        // SELECT * FROM (SELECT reverse(email) AS r, id FROM customers) s
        StatementLineage l = lineage(List.of("customers"), Map.of(), List.of(fn("reverse")), true, STAR);
        ResultPlan p = plan(l, computed("r"), field("id", CUSTOMERS, 1, INT4));
        assertEquals("redact", strategy(p, 0), "the strictest rule of the tables read");
        assertEquals(4, p.column(0).detectors().size());
        assertNull(strategy(p, 1), "a direct source is still exact");
        // two stars with a computed item between: SELECT *, lower(name), * FROM customers
        StatementLineage two = fromCustomers(List.of("lower"), STAR, item(col("name")), STAR);
        ResultPlan q = plan(two, field("id", CUSTOMERS, 1, INT4), computed("lower"), field("id", CUSTOMERS, 1, INT4));
        assertEquals("redact", strategy(q, 1), "between two stars nothing maps");
    }

    @Test
    void subSelectsAndDerivedTables() {
        // SELECT (SELECT email FROM customers c2 WHERE c2.id = c.id) FROM customers c
        StatementLineage scalar = select(
                List.of("customers"),
                Map.of("c", "customers", "c2", "customers"),
                List.of(),
                item(col("c2", "email"), col("c2", "id"), col("c", "id")));
        assertEquals("redact", strategy(plan(scalar, computed("email")), 0));
        // SELECT lower(name) FROM (SELECT email AS name FROM customers) s: "name" is the sub-select's column
        StatementLineage derived =
                lineage(List.of("customers"), Map.of(), List.of(fn("lower")), true, item(col("name")));
        assertEquals("redact", strategy(plan(derived, computed("lower")), 0));
        // SELECT lower(s.name) FROM (SELECT email AS name FROM customers) s, with a real table named s elsewhere
        StatementLineage aliased =
                lineage(List.of("customers"), Map.of(), List.of(fn("lower")), true, item(col("s", "name")));
        assertEquals("redact", strategy(plan(aliased, computed("lower")), 0));
    }

    @Test
    void unionsAndCtesWithoutExactLineageFallBackToTheTablesRead() {
        // SELECT name FROM customers UNION SELECT email FROM customers: the analyzer merges branches per position
        StatementLineage merged = fromCustomers(List.of(), item(col("name"), col("email")));
        assertEquals("redact", strategy(plan(merged, computed("name")), 0));
        // or gives no outputs at all
        StatementLineage none =
                new StatementLineage(null, Map.of(), List.of("orders", "customers"), null, null, List.of(), false);
        assertEquals("redact", strategy(plan(none, computed("name")), 0));
        // the same over orders only: nothing masked there, detectors only (all of them)
        StatementLineage innocent =
                new StatementLineage(null, Map.of(), List.of("orders"), null, null, List.of(), false);
        ResultPlan p = plan(innocent, computed("note"));
        assertNull(strategy(p, 0));
        assertEquals(Detector.values().length, p.column(0).detectors().size());
        // WITH x AS (SELECT reverse(email) AS e FROM customers) SELECT e FROM x: the CTE name is not a relation
        StatementLineage cte =
                lineage(List.of("customers", "x"), Map.of(), List.of(fn("reverse")), true, item(col("e")));
        assertEquals("redact", strategy(plan(cte, computed("e")), 0));
    }

    @Test
    void unknownLineageIsTheStrictestOfTheTablesReadAndEveryDetector() {
        List<MaskRule> rules = List.of(
                new MaskRule("*card*", null, "last4"),
                new MaskRule("orders.note", null, "hash"),
                new MaskRule(null, "email", "redact"));
        StatementLineage l = new StatementLineage(
                List.of(OPAQUE), Map.of(), List.of("customers"), List.of(), List.of(), List.of(), false);
        ResultPlan p = ResultMaskPlanner.plan(rules, List.of(computed("x")), null, l, CATALOG);
        assertEquals("last4", strategy(p, 0), "customers' strictest, not orders'");
        assertEquals(Detector.values().length, p.column(0).detectors().size(), "every detector, not only the rules'");
        ResultPlan unknown =
                ResultMaskPlanner.plan(rules, List.of(computed("x")), null, StatementLineage.UNKNOWN, CATALOG);
        assertEquals("hash", strategy(unknown, 0), "tables unknown: the decision's strictest");
    }

    @Test
    void functionsThatMayReadAnythingMakeComputedLineageUnknown() {
        // SELECT lookup(id) FROM orders: a user function may return customers' e-mails
        StatementLineage user = select(List.of("orders"), Map.of(), List.of(fn("lookup")), item(col("id")));
        assertEquals("redact", strategy(plan(user, computed("lookup")), 0));
        // upper resolves to pg_catalog.upper AND public.upper(…) on this search_path: not provably built-in
        StatementLineage shadowed = select(List.of("orders"), Map.of(), List.of(fn("upper")), item(col("note")));
        assertEquals("redact", strategy(plan(shadowed, computed("upper")), 0));
        StatementLineage qualified = select(
                List.of("orders"),
                Map.of(),
                List.of(new StatementLineage.FunctionRef("pg_catalog", "upper")),
                item(col("note")));
        assertNull(strategy(plan(qualified, computed("upper")), 0));
        // SELECT query_to_xml('select email from customers', true, false, ''): no tables read at all
        StatementLineage xml = select(List.of(), Map.of(), List.of(fn("query_to_xml")), OPAQUE);
        assertEquals("redact", strategy(plan(xml, computed("query_to_xml")), 0));
        StatementLineage xmlNotFlagged = select(List.of(), Map.of(), List.of(fn("query_to_xml")), item());
        assertEquals("redact", strategy(plan(xmlNotFlagged, computed("query_to_xml")), 0), "known by name too");
        StatementLineage unknownFunctions = new StatementLineage(
                List.of(item(col("note"))), Map.of(), List.of("orders"), List.of(col("note")), List.of(), null, false);
        assertEquals("redact", strategy(plan(unknownFunctions, computed("f")), 0), "functions not listed: unknown");
        // an unknown function name is not a pg_catalog function
        StatementLineage nope = select(List.of("orders"), Map.of(), List.of(fn("nope")), item(col("note")));
        assertEquals("redact", strategy(plan(nope, computed("nope")), 0));
    }

    @Test
    void relationsTheCatalogDoesNotHoldAreUnknownLineage() {
        ResultPlan p = plan(StatementLineage.UNKNOWN, field("x", 999, 1, TEXT));
        assertEquals("redact", strategy(p, 0));
        ResultPlan empty = ResultMaskPlanner.plan(
                DEFAULT_RULES,
                List.of(field("id", CUSTOMERS, 1, INT4)),
                null,
                StatementLineage.UNKNOWN,
                PgCatalog.EMPTY);
        assertEquals("redact", strategy(empty, 0), "no catalog: strictest");
        StatementLineage missingTable = select(List.of("nowhere"), Map.of(), List.of(), item(col("x")));
        assertEquals("redact", strategy(plan(missingTable, computed("x")), 0));
    }

    @Test
    void statisticsViewsCarryOtherTablesValues() {
        ResultPlan p = plan(
                StatementLineage.UNKNOWN,
                field("most_common_vals", PG_STATS, 4, TEXT),
                field("relname", PG_CLASS, 2, TEXT));
        assertEquals("redact", strategy(p, 0));
        assertNull(strategy(p, 1), "an ordinary catalog is not masked");
    }

    @Test
    void mismatchedItemCountsMapNothing() {
        StatementLineage l = fromCustomers(List.of(), item(col("name")));
        ResultPlan p = plan(l, computed("a"), computed("b"));
        assertEquals("redact", strategy(p, 0));
        assertEquals("redact", strategy(p, 1));
        assertEquals(4, ResultMaskPlanner.positions(List.of(STAR, item()), 4).length);
        assertNull(ResultMaskPlanner.positions(List.of(item(), STAR, item()), 1)[0], "fewer columns than fixed items");
    }

    @Test
    void noRulesNoPlan() {
        ResultPlan p = ResultMaskPlanner.plan(
                List.of(), List.of(field("email", CUSTOMERS, 3, TEXT)), null, StatementLineage.UNKNOWN, CATALOG);
        assertFalse(p.masksAnything());
        assertNull(p.column(0));
    }

    @Test
    void anUnknownDetectorMasksEveryValue() {
        ResultPlan p = ResultMaskPlanner.plan(
                List.of(new MaskRule(null, "iban", "last4")),
                List.of(field("id", ORDERS, 1, INT4)),
                null,
                StatementLineage.UNKNOWN,
                CATALOG);
        assertEquals("redact", strategy(p, 0));
    }

    @Test
    void binaryFormatIsMaskedInPlaceOnlyWhenItsBytesAreText() {
        Field email = field("email", CUSTOMERS, 3, TEXT);
        Field id = field("id", CUSTOMERS, 1, INT4);
        Field big = field("total", ORDERS, 3, INT8);
        Field flag = field("f", ORDERS, 2, BOOL);
        Field json = new Field("j", 0, (short) 0, JSON, (short) -1, -1, (short) 1);
        StatementLineage l = StatementLineage.UNKNOWN;
        ResultPlan text = ResultMaskPlanner.plan(DEFAULT_RULES, List.of(email, id), i -> 1, l, CATALOG);
        assertNull(text.refusal());
        assertTrue(text.binary(0), "text's binary form is its text: masked in place");
        assertNull(text.column(1), "an int4 can hold no detectable value and has no column rule");
        ResultPlan bigint = ResultMaskPlanner.plan(DEFAULT_RULES, List.of(big), i -> 1, l, CATALOG);
        assertEquals(
                "column \"total\" is masked by policy and was requested in binary format; request text format",
                bigint.refusal(),
                "an int8 can hold a card number the detector cannot see in binary");
        ResultPlan masked =
                ResultMaskPlanner.plan(DEFAULT_RULES, List.of(field("c", CONTACTS, 1, INT4)), i -> 1, l, CATALOG);
        assertNotNull(masked.refusal(), "a column strategy on a binary int4 cannot be applied");
        ResultPlan mixed = ResultMaskPlanner.plan(DEFAULT_RULES, List.of(flag, email), i -> i == 0 ? 1 : 0, l, CATALOG);
        assertNull(mixed.refusal());
        assertNull(mixed.column(0));
        assertFalse(mixed.binary(1));
        ResultPlan fromDescription = ResultMaskPlanner.plan(DEFAULT_RULES, List.of(json), null, l, CATALOG);
        assertTrue(fromDescription.binary(0), "RowDescription's own format code (binary cursor)");
        assertEquals("redact", strategy(fromDescription, 0));
    }
}
