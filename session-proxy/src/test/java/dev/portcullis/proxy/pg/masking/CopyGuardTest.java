package dev.portcullis.proxy.pg.masking;

import static dev.portcullis.proxy.pg.masking.MaskingFixtures.CATALOG;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.DEFAULT_RULES;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.STAR;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.col;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.fromCustomers;
import static dev.portcullis.proxy.pg.masking.MaskingFixtures.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.pg.masking.CopyGuard.Query;
import dev.portcullis.proxy.pg.masking.CopyGuard.Source;
import dev.portcullis.proxy.pg.masking.CopyGuard.Table;
import dev.portcullis.proxy.pg.masking.CopyGuard.Unreadable;
import dev.portcullis.proxy.pg.masking.CopyGuard.Verdict;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyGuardTest {

    private static Source source(String sql) {
        return CopyGuard.copyTo(sql).orElseThrow(() -> new AssertionError("not a COPY TO: " + sql));
    }

    private static Verdict table(String sql) {
        return CopyGuard.decide(DEFAULT_RULES, source(sql), null, CATALOG);
    }

    @Test
    void readsTheTableFormAsPostgreSqlWould() {
        assertEquals(new Table(null, "customers", List.of(), false), source("COPY customers TO STDOUT"));
        assertEquals(
                new Table("public", "customers", List.of("id", "Name"), false),
                source("copy PUBLIC.Customers (id, \"Name\") to stdout with (format csv)"));
        assertEquals(
                new Table(null, "customers", List.of(), false),
                source("/* a /* nested */ comment */ COPY -- to the end of the line\r customers TO STDOUT"));
        assertEquals(new Table(null, "t$1", List.of(), false), source("COPY t$1 TO STDOUT"));
    }

    @Test
    void readsTheQueryFormOverStringsQuotesAndComments() {
        String inner = "SELECT ')', $$)$$, $q$ ) $q$, E'\\')', \"a)\" FROM t /* ) */ -- )\n WHERE (1 = 1)";
        Source s = source("COPY (" + inner + ") TO STDOUT");
        assertInstanceOf(Query.class, s);
        assertEquals(inner, ((Query) s).text());
        assertEquals(6, ((Query) s).offset());
        assertFalse(s.binary());
    }

    @Test
    void findsTheBinaryFormatWhereverItIsAsked() {
        for (String sql : List.of(
                "COPY BINARY customers TO STDOUT",
                "COPY customers TO STDOUT (FORMAT binary)",
                "COPY customers TO STDOUT WITH (FORMAT 'binary')",
                "COPY customers TO STDOUT WITH BINARY",
                "COPY (SELECT 1) TO STDOUT (FORMAT BINARY)")) {
            assertTrue(source(sql).binary(), sql);
        }
        assertFalse(source("COPY binary_data TO STDOUT").binary());
        assertFalse(source("COPY t TO STDOUT (FORMAT csv, NULL 'x')").binary());
    }

    @Test
    void copyFromAndOtherStatementsAreNotItsConcern() {
        assertTrue(CopyGuard.copyTo("COPY customers FROM STDIN").isEmpty());
        assertTrue(CopyGuard.copyTo("COPY customers (id) FROM STDIN").isEmpty());
        assertTrue(CopyGuard.copyTo("SELECT 1").isEmpty());
        assertTrue(CopyGuard.copyTo("copying").isEmpty());
    }

    @Test
    void whatItCannotReadIsUnreadableNeverIgnored() {
        for (String sql : List.of(
                "COPY U&\"cust\" TO STDOUT",
                "COPY (SELECT 1 TO STDOUT",
                "COPY (SELECT 'x) TO STDOUT",
                "COPY customers",
                "COPY customers (id TO STDOUT",
                "COPY /* unterminated TO STDOUT",
                "COPY (SELECT $a$ x) TO STDOUT",
                "COPY customers SOMEWHERE")) {
            assertInstanceOf(Unreadable.class, source(sql), sql);
            assertEquals(Verdict.REFUSE, CopyGuard.decide(DEFAULT_RULES, source(sql), null, CATALOG), sql);
        }
    }

    @Test
    void aTableCopyIsRefusedWhenItReadsAMaskedColumn() {
        assertEquals(Verdict.REFUSE, table("COPY customers TO STDOUT"));
        assertEquals(Verdict.REFUSE, table("COPY customers (id, email) TO STDOUT"));
        assertEquals(Verdict.REFUSE, table("COPY public.customers (card_number) TO STDOUT"));
        assertEquals(Verdict.REFUSE, table("COPY customers (nope) TO STDOUT"), "an unknown column");
        assertEquals(Verdict.REFUSE, table("COPY nowhere TO STDOUT"), "an unknown table");
        assertEquals(Verdict.REFUSE, table("COPY contacts TO STDOUT"), "a view over e-mails");
        assertEquals(Verdict.MASK_DETECTORS, table("COPY customers (id, name) TO STDOUT"));
        assertEquals(Verdict.MASK_DETECTORS, table("COPY orders TO STDOUT"));
        assertEquals(Verdict.REFUSE_BINARY, table("COPY orders TO STDOUT (FORMAT binary)"));
    }

    @Test
    void aQueryCopyFollowsTheQuerysLineage() {
        Source q = source("COPY (SELECT reverse(email) FROM customers) TO STDOUT");
        assertEquals(
                Verdict.REFUSE,
                CopyGuard.decide(DEFAULT_RULES, q, fromCustomers(List.of("reverse"), item(col("email"))), CATALOG));
        assertEquals(
                Verdict.REFUSE,
                CopyGuard.decide(DEFAULT_RULES, q, fromCustomers(List.of(), STAR), CATALOG),
                "SELECT * over customers");
        assertEquals(
                Verdict.REFUSE,
                CopyGuard.decide(DEFAULT_RULES, q, StatementLineage.UNKNOWN, CATALOG),
                "unknown lineage");
        assertEquals(
                Verdict.MASK_DETECTORS,
                CopyGuard.decide(
                        DEFAULT_RULES,
                        q,
                        fromCustomers(List.of("lower"), item(col("id")), item(col("name"))),
                        CATALOG));
    }

    @Test
    void withoutRulesOrWithoutDetectors() {
        Source all = source("COPY customers TO STDOUT");
        assertEquals(Verdict.PASS, CopyGuard.decide(List.of(), all, null, CATALOG));
        List<MaskRule> columnsOnly = List.of(new MaskRule("*email*", null, "redact"));
        assertEquals(Verdict.PASS, CopyGuard.decide(columnsOnly, source("COPY orders TO STDOUT"), null, CATALOG));
        assertEquals(Verdict.REFUSE, CopyGuard.decide(columnsOnly, all, null, CATALOG));
        assertEquals(
                Verdict.REFUSE,
                CopyGuard.decide(
                        List.of(new MaskRule(null, "iban", "redact")), source("COPY orders TO STDOUT"), null, CATALOG),
                "an unknown detector masks every value");
        assertEquals(
                Verdict.REFUSE,
                CopyGuard.decide(DEFAULT_RULES, source("COPY orders TO STDOUT"), null, null),
                "no catalog");
    }

    @Test
    void copyDataRowsGoThroughTheDetectors() {
        Masker masker =
                new Masker("pg-masking-test-key-of-32-bytes!".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] row = "7\tnote for bob@example.com\n".getBytes(StandardCharsets.UTF_8);
        Buffer frame =
                Buffer.buffer().appendByte((byte) 'd').appendInt(4 + row.length).appendBytes(row);
        Buffer out = CopyGuard.maskCopyData(frame, DEFAULT_RULES, masker);
        assertEquals('d', out.getByte(0));
        assertEquals(out.length() - 1, out.getInt(1));
        assertEquals("7\tnote for [REDACTED]\n", out.getString(5, out.length(), "UTF-8"));
        byte[] clean = "8\tnothing here\n".getBytes(StandardCharsets.UTF_8);
        Buffer plain = Buffer.buffer()
                .appendByte((byte) 'd')
                .appendInt(4 + clean.length)
                .appendBytes(clean);
        assertSame(plain, CopyGuard.maskCopyData(plain, DEFAULT_RULES, masker));
        Buffer textResponse = Buffer.buffer()
                .appendByte((byte) 'H')
                .appendInt(7)
                .appendByte((byte) 0)
                .appendShort((short) 0);
        Buffer binaryResponse = Buffer.buffer()
                .appendByte((byte) 'H')
                .appendInt(7)
                .appendByte((byte) 1)
                .appendShort((short) 0);
        assertFalse(CopyGuard.isBinary(textResponse));
        assertTrue(CopyGuard.isBinary(binaryResponse));
    }
}
