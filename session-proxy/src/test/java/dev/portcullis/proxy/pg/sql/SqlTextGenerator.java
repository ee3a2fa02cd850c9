package dev.portcullis.proxy.pg.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic generator of SQL texts for the differential test: fragment soups over an alphabet of
 * everything that moves a statement boundary (comments of both forms and nested, every quote form,
 * dollar quotes, backslashes, {@code \r}, non-ASCII identifier chars, semicolons), well-formed
 * multi-statement texts that PostgreSQL accepts, and mutations of known attack texts.
 */
final class SqlTextGenerator {

    /** Fragments the soups and mutations are made of. */
    static final String[] ATOMS = {
        " ",
        "  ",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\f",
        "\013",
        ";",
        ";",
        ";",
        "--",
        "-- c",
        "--;",
        "/*",
        "*/",
        "/* ; */",
        "/* a /* b */ c */",
        "/*/",
        "*",
        "'",
        "''",
        "'a'",
        "'a;b'",
        "E'",
        "e'",
        "E'\\''",
        "E'\\\\'",
        "\\",
        "\\'",
        "U&'",
        "U&'\\0041'",
        "u&'d\\0061t\\+000061'",
        " UESCAPE '!'",
        "U&\"",
        "U&\"\\0061\"",
        "u&",
        "B'",
        "B'01'",
        "X'1F'",
        "N'x'",
        "n'",
        "\"",
        "\"\"",
        "\"a\"",
        "\"a\"\"b\"",
        "\"a;b\"",
        "$",
        "$$",
        "$a$",
        "$b$",
        "$é$",
        "$_1$",
        "$1",
        "$1$",
        "$1a",
        "x",
        "a$b$",
        "x·$a$",
        "é$a$",
        "é",
        "·",
        "日本",
        "\uD834\uDD1E",
        "\u00A0",
        "SELECT ",
        "SELECT 1",
        "select 'x'",
        "DELETE FROM lex_t",
        "FROM ",
        " AS ",
        "1",
        "1.5",
        ".5",
        "1e3",
        "1e+",
        "0x1F",
        "1..2",
        "1_000",
        "::text",
        "+",
        "-",
        "*",
        "/",
        "+-",
        "=",
        "<>",
        "?",
        "(",
        ")",
        ",",
        "[",
        "]",
        "END",
        "BEGIN",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END",
        "CASE WHEN true THEN 1 END"
    };

    /** Literal and alias forms that keep a SELECT valid, each hiding a boundary-looking char. */
    private static final String[] VALUES = {
        "1",
        "1.5e3",
        "'a;b'",
        "E'\\';'",
        "E'\\\\'",
        "$$;$$",
        "$t$ ; $$ $t$",
        "$é$;$é$",
        "U&'\\0041;'",
        "U&'!0041;' UESCAPE '!'",
        "B'01'",
        "X'1F'",
        "N'x;'",
        "'a'\n'b;'",
        "'a' -- c;\n'b'",
        "E'a'\r'\\';'",
        "'x'::text",
        "(1+2)",
        "ARRAY[1,2]",
        "1 AS \"a;b\"",
        "1 AS x·$a$",
        "1 AS é$a$",
        "1 AS a$b$",
        "1 AS \"\"\"\"",
        "'--'",
        "'/*'",
        "$a$/*$a$",
        "1/*;*/+2",
        "1+-2",
        "1--;\n",
        "CASE WHEN true THEN 1 END",
        "0x1F",
        "1_000"
    };

    private static final String[] GAPS = {
        " ", "\n", "\r", "\t", " /* ; */ ", " /* a /* ; */ */ ", " -- ;\n", " --;\r", "\r\n"
    };

    /** Known smuggling texts and their relatives, mutated by {@link #mutation}. */
    static final String[] SEEDS = {
        "SELECT 1 --\r; DELETE FROM lex_t",
        "SELECT x·$a$; DELETE FROM lex_t; $a$",
        "SELECT E'a'\n'\\'; DELETE FROM lex_t; --'",
        "SELECT '\\'; DELETE FROM lex_t; --'",
        "SELECT $a$; DELETE FROM lex_t; $a$",
        "SELECT 1 /* /* */ ; DELETE FROM lex_t; */",
        "SELECT U&'\\'; DELETE FROM lex_t; --'",
        "SELECT B'1'\n'; DELETE FROM lex_t; --'",
        "SELECT é$a$; DELETE FROM lex_t; $a$",
        "SELECT \"a\"\"; DELETE FROM lex_t; --\"",
        "SELECT 1+/*; DELETE FROM lex_t; */2",
        "SELECT $1$; DELETE FROM lex_t; $$",
    };

    private final Random random;

    SqlTextGenerator(long seed) {
        this.random = new Random(seed);
    }

    /** {@code count} texts: a third soups, a third well-formed, a third mutations. */
    List<String> texts(int count) {
        List<String> out = new ArrayList<>(count);
        for (String seed : SEEDS) {
            out.add(seed);
        }
        while (out.size() < count) {
            switch (out.size() % 3) {
                case 0 -> out.add(soup());
                case 1 -> out.add(wellFormed());
                default -> out.add(mutation(random.nextBoolean() ? pick(SEEDS) : wellFormed()));
            }
        }
        return out;
    }

    String soup() {
        StringBuilder sb = new StringBuilder();
        int atoms = 1 + random.nextInt(24);
        for (int i = 0; i < atoms; i++) {
            sb.append(pick(ATOMS));
        }
        return sb.toString();
    }

    String wellFormed() {
        StringBuilder sb = new StringBuilder();
        int statements = 1 + random.nextInt(4);
        for (int s = 0; s < statements; s++) {
            if (s > 0) {
                sb.append(pick(GAPS)).append(';').append(pick(GAPS));
                if (random.nextInt(8) == 0) {
                    sb.append(';').append(pick(GAPS)); // an empty statement
                }
            }
            if (random.nextInt(10) == 0) {
                sb.append("/* only a comment */");
                continue;
            }
            sb.append(random.nextBoolean() ? "SELECT" : "select")
                    .append(pick(GAPS))
                    .append(pick(VALUES));
            int more = random.nextInt(3);
            for (int i = 0; i < more; i++) {
                sb.append(pick(GAPS)).append(',').append(pick(GAPS)).append(pick(VALUES));
            }
        }
        if (random.nextBoolean()) {
            sb.append(pick(GAPS)).append(';');
        }
        return sb.toString();
    }

    /** One to three random edits: insert an atom, delete a few chars, or replace a char with an atom. */
    String mutation(String text) {
        StringBuilder sb = new StringBuilder(text);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int at = boundary(sb, random.nextInt(sb.length() + 1));
            switch (random.nextInt(3)) {
                case 0 -> sb.insert(at, pick(ATOMS));
                case 1 -> sb.delete(at, boundary(sb, Math.min(sb.length(), at + 1 + random.nextInt(3))));
                default -> {
                    int to = boundary(sb, Math.min(sb.length(), at + 1));
                    sb.replace(at, to, pick(ATOMS));
                }
            }
        }
        return sb.toString();
    }

    /** Moves an index off the middle of a surrogate pair, so every text stays valid UTF-16. */
    private static int boundary(CharSequence s, int i) {
        return i > 0 && i < s.length() && Character.isLowSurrogate(s.charAt(i)) ? i + 1 : i;
    }

    private String pick(String[] from) {
        return from[random.nextInt(from.length)];
    }
}
