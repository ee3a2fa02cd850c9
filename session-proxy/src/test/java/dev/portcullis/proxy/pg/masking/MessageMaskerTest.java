package dev.portcullis.proxy.pg.masking;

import static dev.portcullis.proxy.pg.masking.MaskingFixtures.CATALOG;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.DEFAULT_RULES;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.STAR;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.col;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.fn;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.fromCustomers;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.item;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.select;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.wholeRow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.pg.codec.PgBackendMessages.Fields;
import dev.portcullis.proxy.pg.codec.PgProtocol;
import dev.portcullis.proxy.pg.masking.StatementLineage.ColumnRef;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageMaskerTest {

    private static final String CANARY = "ada.canary@example.com";

    private final Masker masker =
            new Masker("pg-masking-test-key-of-32-bytes!".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    /** An ErrorResponse (or NoticeResponse) as PostgreSQL 18 sends it, field codes in its order. */
    private static Buffer frame(byte type, String sqlstate, String message, String... more) {
        Map<Character, String> f = new LinkedHashMap<>();
        f.put('S', type == PgProtocol.ERROR_RESPONSE ? "ERROR" : "NOTICE");
        f.put('V', type == PgProtocol.ERROR_RESPONSE ? "ERROR" : "NOTICE");
        f.put('C', sqlstate);
        f.put('M', message);
        for (int i = 0; i + 1 < more.length; i += 2) {
            f.put(more[i].charAt(0), more[i + 1]);
        }
        return new Fields(f).encode(type, "");
    }

    private static Buffer error(String sqlstate, String message, String... more) {
        return frame(PgProtocol.ERROR_RESPONSE, sqlstate, message, more);
    }

    /** The canary in none of the forms a client could undo: as is, reversed, upper case, hex, base64. */
    private static void assertNoCanary(Buffer out) {
        String text = out.toString(StandardCharsets.ISO_8859_1);
        byte[] raw = CANARY.getBytes(StandardCharsets.UTF_8);
        for (String form : List.of(
                CANARY,
                new StringBuilder(CANARY).reverse().toString(),
                CANARY.toUpperCase(Locale.ROOT),
                HexFormat.of().formatHex(raw),
                Base64.getEncoder().encodeToString(raw))) {
            assertFalse(text.contains(form), "leaked as " + form);
        }
    }

    private Buffer maskedFor(StatementLineage lineage, Buffer frame) {
        boolean hide = MessageMasker.touchesMasked(DEFAULT_RULES, lineage, CATALOG);
        return MessageMasker.mask(frame, hide, DEFAULT_RULES, masker);
    }

    @Test
    void aCastErrorOnAMaskedColumnKeepsOnlyTheSqlstateSeverityAndPosition() {
        // SELECT email::int FROM customers
        Buffer in = error(
                "22P02",
                "invalid input syntax for type integer: \"" + CANARY + "\"",
                "P",
                "8",
                "F",
                "numutils.c",
                "L",
                "617",
                "R",
                "pg_strtoint32_safe");
        Buffer out = maskedFor(fromCustomers(List.of(), item(col("email"))), in);
        Map<Character, String> f = Fields.decode(out).values();
        assertEquals(PgProtocol.ERROR_RESPONSE, out.getByte(0));
        assertEquals("22P02", f.get('C'));
        assertEquals("ERROR", f.get('S'));
        assertEquals("ERROR", f.get('V'));
        assertEquals("8", f.get('P'));
        assertEquals("numutils.c", f.get('F'));
        assertEquals(MessageMasker.HIDDEN, f.get('M'));
        assertNoCanary(out);
    }

    @Test
    void everyVariantOfAnErrorQuotingAMaskedValue() {
        List<StatementLineage> statements = List.of(
                // SELECT email::date FROM customers
                fromCustomers(List.of(), item(col("email"))),
                // SELECT 1/length(email) FROM customers (the value is not quoted, but could be in another message)
                fromCustomers(List.of("length"), item(col("email"))),
                // SELECT id FROM customers WHERE phone::int = 1: the masked column is only in WHERE
                new StatementLineage(
                        List.of(item(col("id"))),
                        Map.of(),
                        List.of("customers"),
                        List.of(col("id"), col("phone")),
                        List.of(),
                        List.of(),
                        false),
                // SELECT c::text::int FROM customers c
                select(List.of("customers"), Map.of("c", "customers"), List.of(), wholeRow("c")),
                // SELECT contact::int FROM contacts (a view over e-mails)
                select(List.of("contacts"), Map.of(), List.of(), item(col("contact"))),
                // SELECT * FROM customers WHERE id = 'x'
                select(List.of("customers"), Map.of(), List.of(), STAR),
                // SELECT lookup(id) FROM orders: a user function reads what it likes
                select(List.of("orders"), Map.of(), List.of(fn("lookup")), item(col("id"))),
                // an unreadable statement
                StatementLineage.UNKNOWN);
        for (StatementLineage l : statements) {
            Buffer out = maskedFor(
                    l,
                    error(
                            "22007",
                            "invalid input syntax for type date: \"" + CANARY + "\"",
                            "D",
                            "value " + CANARY,
                            "H",
                            "try " + CANARY,
                            "W",
                            "SQL function \"lookup\" statement 1: " + CANARY,
                            "q",
                            "SELECT '" + CANARY + "'::date",
                            "p",
                            "8"));
            Map<Character, String> f = Fields.decode(out).values();
            assertEquals("22007", f.get('C'), l.toString());
            for (char c : MessageMasker.FREE_TEXT_FIELDS.toCharArray()) {
                assertEquals(MessageMasker.HIDDEN, f.get(c), c + " of " + l);
            }
            assertEquals("8", f.get('p'));
            assertNoCanary(out);
        }
    }

    @Test
    void aRaiseNoticeInAFunctionIsHiddenAndStaysANotice() {
        Buffer in = frame(
                PgProtocol.NOTICE_RESPONSE,
                "00000",
                "looked up " + CANARY,
                "W",
                "PL/pgSQL function lookup(integer) line 3 at RAISE");
        Buffer out = maskedFor(select(List.of("orders"), Map.of(), List.of(fn("lookup")), item(col("id"))), in);
        assertEquals(PgProtocol.NOTICE_RESPONSE, out.getByte(0));
        assertEquals("NOTICE", Fields.decode(out).values().get('S'));
        assertEquals(MessageMasker.HIDDEN, Fields.decode(out).values().get('W'));
        assertNoCanary(out);
    }

    @Test
    void aUniqueViolationKeepsTheNamesOfTheObjects() {
        Buffer in = error(
                "23505",
                "duplicate key value violates unique constraint \"customers_email_key\"",
                "D",
                "Key (email)=(" + CANARY + ") already exists.",
                "s",
                "public",
                "t",
                "customers",
                "n",
                "customers_email_key");
        StatementLineage l = new StatementLineage(
                null, Map.of(), List.of("customers"), List.of(col("email")), List.of(), List.of(), false);
        Map<Character, String> f = Fields.decode(maskedFor(l, in)).values();
        assertEquals(MessageMasker.HIDDEN, f.get('D'));
        assertEquals("customers", f.get('t'));
        assertEquals("customers_email_key", f.get('n'));
        assertEquals("23505", f.get('C'));
    }

    @Test
    void statementsAwayFromMaskedDataKeepTheirMessagesWithDetectorsApplied() {
        // SELECT name::int FROM customers: the name is not masked, the message is useful
        Buffer in = error("22P02", "invalid input syntax for type integer: \"Ada Lovelace\"", "P", "8");
        StatementLineage name = fromCustomers(List.of(), item(col("name")));
        assertFalse(MessageMasker.touchesMasked(DEFAULT_RULES, name, CATALOG));
        assertSame(in, maskedFor(name, in), "nothing to change: the same frame");
        // SELECT note::int FROM orders where the note holds an e-mail: the detector still masks it
        Buffer withMail = error("22P02", "invalid input syntax for type integer: \"" + CANARY + "\"", "P", "8");
        StatementLineage note = select(List.of("orders"), Map.of(), List.of(), item(col("note")));
        Buffer out = maskedFor(note, withMail);
        assertEquals(
                "invalid input syntax for type integer: \"[REDACTED]\"",
                Fields.decode(out).message());
        assertEquals("8", Fields.decode(out).values().get('P'));
        assertNoCanary(out);
        // SELECT * FROM orders: a star over innocent data
        assertFalse(MessageMasker.touchesMasked(
                DEFAULT_RULES, select(List.of("orders"), Map.of(), List.of(), STAR), CATALOG));
    }

    @Test
    void noColumnRuleMeansNothingIsHidden() {
        List<MaskRule> detectorsOnly = List.of(new MaskRule(null, "email", "redact"));
        assertFalse(MessageMasker.touchesMasked(detectorsOnly, StatementLineage.UNKNOWN, CATALOG));
        assertFalse(MessageMasker.touchesMasked(List.of(), StatementLineage.UNKNOWN, CATALOG));
        assertTrue(
                MessageMasker.touchesMasked(
                        List.of(new MaskRule(null, "iban", "redact")), StatementLineage.UNKNOWN, CATALOG),
                "an unknown detector masks everything");
    }

    @Test
    void unresolvableReferencesCountAsTouchingOnlyWhereTheTablesReadHaveMaskedColumns() {
        StatementLineage customers = new StatementLineage(
                List.of(item()),
                Map.of(),
                List.of("customers"),
                List.of(ColumnRef.of("s", "x")),
                List.of(),
                List.of(),
                true);
        assertTrue(MessageMasker.touchesMasked(DEFAULT_RULES, customers, CATALOG));
        StatementLineage orders = new StatementLineage(
                List.of(item()),
                Map.of(),
                List.of("orders"),
                List.of(ColumnRef.of("s", "x")),
                List.of(),
                List.of(),
                true);
        assertFalse(MessageMasker.touchesMasked(DEFAULT_RULES, orders, CATALOG));
    }

    @Test
    void aMessageWithoutMGetsOne() {
        Map<Character, String> f = new LinkedHashMap<>();
        f.put('S', "ERROR");
        f.put('C', "XX000");
        Buffer out =
                MessageMasker.mask(new Fields(f).encode(PgProtocol.ERROR_RESPONSE, ""), true, DEFAULT_RULES, masker);
        assertEquals(MessageMasker.HIDDEN, Fields.decode(out).message());
    }
}
