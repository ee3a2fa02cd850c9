package dev.portcullis.contracts.detect;

/** The Luhn checksum (ISO/IEC 7812) that every payment card number passes. */
public final class Luhn {

    private Luhn() {}

    /** Whether the digits of {@code text} pass the checksum; other characters (spaces, dashes) are skipped. */
    public static boolean valid(CharSequence text) {
        return valid(text, 0, text.length());
    }

    /** {@link #valid(CharSequence)} over {@code text[start, end)}, without copying it. */
    public static boolean valid(CharSequence text, int start, int end) {
        int sum = 0;
        int digits = 0;
        boolean doubleIt = false;
        for (int i = end - 1; i >= start; i--) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int d = c - '0';
            if (doubleIt) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            digits++;
            doubleIt = !doubleIt;
        }
        return digits > 0 && sum % 10 == 0;
    }
}
