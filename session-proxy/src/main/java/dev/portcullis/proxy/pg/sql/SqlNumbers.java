package dev.portcullis.proxy.pg.sql;

import dev.portcullis.proxy.pg.sql.SqlToken.Kind;
import java.util.Arrays;

/** scan.l's number rules for {@link SqlScanner}: where a numeric literal (or its "junk" error) ends. */
final class SqlNumbers {

    /** A token kind ({@link Kind#NUMBER} or {@link Kind#JUNK}) and its end. */
    record Match(Kind kind, int end) {}

    private final String s;
    private final int n;

    private SqlNumbers(String s) {
        this.s = s;
        this.n = s.length();
    }

    /** The number token starting at {@code p}: a digit, or a dot before a digit. */
    static Match match(String s, int p) {
        return new SqlNumbers(s).scan(p);
    }

    /**
     * scan.l's numeric rules by longest match, ties to the earlier rule: decinteger, hexinteger,
     * octinteger, bininteger, hexfail, octfail, binfail, numeric, numericfail, real, realfail,
     * integer_junk, numeric_junk, real_junk.
     */
    private Match scan(int p) {
        int bestEnd = -1;
        int bestRule = -1;
        int dec = isDigit(s.charAt(p)) ? decimalEnd(p) : -1;
        int[] ends = new int[14];
        Arrays.fill(ends, -1);
        ends[0] = dec;
        if (s.charAt(p) == '0') {
            char x = at(p + 1);
            int radix = x == 'x' || x == 'X' ? 16 : x == 'o' || x == 'O' ? 8 : x == 'b' || x == 'B' ? 2 : 0;
            if (radix != 0) {
                int slot = radix == 16 ? 0 : radix == 8 ? 1 : 2;
                ends[1 + slot] = radixEnd(p + 2, radix);
                ends[4 + slot] = at(p + 2) == '_' ? p + 3 : p + 2;
            }
        }
        int numeric = -1;
        if (dec >= 0 && at(dec) == '.') {
            numeric = isDigit(at(dec + 1)) ? decimalEnd(dec + 1) : dec + 1;
            if (at(dec + 1) == '.') {
                ends[8] = dec + 2;
            }
        } else if (dec < 0) {
            numeric = decimalEnd(p + 1);
        }
        ends[7] = numeric;
        int base = Math.max(dec, numeric);
        int real = -1;
        if (at(base) == 'e' || at(base) == 'E') {
            int k = base + 1;
            boolean sign = at(k) == '+' || at(k) == '-';
            if (sign) {
                k++;
            }
            if (isDigit(at(k))) {
                real = decimalEnd(k);
            } else if (sign) {
                ends[10] = k;
            }
        }
        ends[9] = real;
        ends[11] = junkEnd(dec);
        ends[12] = junkEnd(numeric);
        ends[13] = junkEnd(real);
        for (int r = 0; r < ends.length; r++) {
            if (ends[r] > bestEnd) {
                bestEnd = ends[r];
                bestRule = r;
            }
        }
        return switch (bestRule) {
            case 0, 1, 2, 3, 7, 9 -> new Match(Kind.NUMBER, bestEnd);
            case 8 -> new Match(Kind.NUMBER, dec); // numericfail: 1..10 is 1, then ..
            default -> new Match(Kind.JUNK, bestEnd);
        };
    }

    /** End of {@code {decdigit}(_?{decdigit})*} starting with the digit at {@code j}. */
    private int decimalEnd(int j) {
        j++;
        while (true) {
            if (isDigit(at(j))) {
                j++;
            } else if (at(j) == '_' && isDigit(at(j + 1))) {
                j += 2;
            } else {
                return j;
            }
        }
    }

    /** End of {@code (_?digit)+} in the radix from {@code j}, or -1 without a digit. */
    private int radixEnd(int j, int radix) {
        int start0 = j;
        while (true) {
            if (Character.digit(at(j), radix) >= 0 && at(j) < 0x80) {
                j++;
            } else if (at(j) == '_' && Character.digit(at(j + 1), radix) >= 0 && at(j + 1) < 0x80) {
                j += 2;
            } else {
                return j > start0 ? j : -1;
            }
        }
    }

    /** End of {@code {literal}{identifier}} when an identifier follows the literal ending at {@code e}. */
    private int junkEnd(int e) {
        return e >= 0 && SqlScanner.isIdentStart(at(e)) ? identEnd(e) : -1;
    }

    private int identEnd(int j) {
        j++;
        while (j < n && SqlScanner.isIdentCont(s.charAt(j))) {
            j++;
        }
        return j;
    }

    private char at(int i) {
        return i < n ? s.charAt(i) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
