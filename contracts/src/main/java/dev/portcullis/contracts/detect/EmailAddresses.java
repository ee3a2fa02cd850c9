package dev.portcullis.contracts.detect;

/**
 * E-mail addresses, as {@code [A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}} finds them: for each '@', the run of
 * local-part characters before it, then the domain up to its last dot that two letters or more follow.
 */
final class EmailAddresses extends LinearScan {

    EmailAddresses(CharSequence text) {
        super(text);
    }

    @Override
    boolean next(int from) {
        int n = text.length();
        for (int at = indexOf(text, '@', from); at >= 0; at = indexOf(text, '@', at + 1)) {
            int s = at;
            while (s > from && local(text.charAt(s - 1))) {
                s--;
            }
            if (s == at) {
                continue;
            }
            int e = at + 1;
            while (e < n && domain(text.charAt(e))) {
                e++;
            }
            // the domain's greedy run gives back characters up to the last dot with two letters after it
            for (int dot = e - 3; dot >= at + 2; dot--) {
                if (text.charAt(dot) == '.' && letter(text.charAt(dot + 1)) && letter(text.charAt(dot + 2))) {
                    int tld = dot + 3;
                    while (tld < e && letter(text.charAt(tld))) {
                        tld++;
                    }
                    start = s;
                    end = tld;
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean local(char c) {
        return alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }

    private static boolean domain(char c) {
        return alnum(c) || c == '.' || c == '-';
    }
}
