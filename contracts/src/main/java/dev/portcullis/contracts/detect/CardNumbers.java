package dev.portcullis.contracts.detect;

/**
 * Payment card numbers: 13 to 19 digits, consecutive digits separated by at most one space or dash, passing the
 * {@link Luhn} check, with no digit directly before or after. At each place a run of digits starts the longest such
 * number wins; a run that holds none is passed over. (A regular expression cannot say this without look-around,
 * and a backtracking one crawls over digit-rich text such as base64.)
 */
final class CardNumbers extends LinearScan {

    static final int MIN_DIGITS = 13;
    static final int MAX_DIGITS = 19;

    CardNumbers(CharSequence text) {
        super(text);
    }

    @Override
    boolean next(int from) {
        for (int i = from; i < text.length(); i++) {
            if (!digit(text.charAt(i)) || (i > 0 && digit(text.charAt(i - 1)))) {
                continue;
            }
            int e = longestFrom(text, i);
            if (e > 0) {
                start = i;
                end = e;
                return true;
            }
        }
        return false;
    }

    /** The end of the longest card number starting at {@code start}, or -1. At most ~40 characters are looked at. */
    private static int longestFrom(CharSequence s, int start) {
        int n = s.length();
        int digits = 0;
        int best = -1;
        int j = start;
        while (j < n) {
            char c = s.charAt(j);
            if (digit(c)) {
                if (++digits > MAX_DIGITS) {
                    break;
                }
                int e = j + 1;
                if (digits >= MIN_DIGITS && (e == n || !digit(s.charAt(e))) && Luhn.valid(s, start, e)) {
                    best = e;
                }
                j++;
            } else if ((c == ' ' || c == '-') && j + 1 < n && digit(s.charAt(j + 1))) {
                j++; // one separator between two digits
            } else {
                break;
            }
        }
        return best;
    }

    /**
     * Whether {@code text} holds 13 digits in a row with at most one space or dash between two of them: every card
     * number does. Linear, allocation-free.
     */
    static boolean mayHold(CharSequence text) {
        int run = 0;
        boolean separator = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (digit(c)) {
                if (++run >= MIN_DIGITS) {
                    return true;
                }
                separator = false;
            } else if ((c == ' ' || c == '-') && run > 0 && !separator) {
                separator = true;
            } else {
                run = 0;
                separator = false;
            }
        }
        return false;
    }
}
