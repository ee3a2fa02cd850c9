package dev.portcullis.console.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A terminal recording (the recorder's asciicast v2 file of an SSH or {@code kubectl exec} session: a header line,
 * then {@code [seconds, "o"|"i", text]} lines) turned into what the session page's player plays: the output chunks
 * with their times, as plain text. The player is not a terminal emulator: escape sequences (colours, cursor moves,
 * window titles) and other control characters are dropped here, and the page sets the rest as text only, so an
 * agent's output can never become markup or drive the browser.
 */
public final class TerminalReplay {

    /** One output chunk: seconds since the session started, and the text. */
    public record Frame(double t, String text) {}

    /**
     * What the page plays; {@code status} is the recorder's (409 while recording, 404 when the session has no
     * terminal recording). {@code truncated}: the output went on past {@link #MAX_CHARS}.
     */
    public record Replay(int status, int width, int height, List<Frame> frames, boolean truncated) {
        public static Replay refused(int status) {
            return new Replay(status, 0, 0, List.of(), false);
        }
    }

    /** The most output text one page is given (4 Mi characters); a longer recording is downloaded instead. */
    static final int MAX_CHARS = 4 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char ESC = 0x1b;
    private static final char BEL = 0x07;

    private TerminalReplay() {}

    /** Reads the cast line by line; a line that is not a recorded event is skipped. */
    public static Replay read(BufferedReader cast) throws IOException {
        String header = cast.readLine();
        JsonNode h = header == null ? JSON.missingNode() : parse(header);
        List<Frame> frames = new ArrayList<>();
        long chars = 0;
        boolean truncated = false;
        String line;
        while ((line = cast.readLine()) != null) {
            JsonNode e = parse(line);
            if (!e.isArray()
                    || e.size() < 3
                    || !e.get(0).isNumber()
                    || !"o".equals(e.get(1).asText())) {
                continue; // input echoes ("i") are in the output already; anything else is not played
            }
            String text = plain(e.get(2).asText());
            if (text.isEmpty()) {
                continue;
            }
            if (chars + text.length() > MAX_CHARS) {
                truncated = true;
                break;
            }
            chars += text.length();
            frames.add(new Frame(Math.max(0, e.get(0).asDouble()), text));
        }
        return new Replay(200, h.path("width").asInt(80), h.path("height").asInt(24), List.copyOf(frames), truncated);
    }

    /**
     * Terminal output as plain text: CSI ({@code ESC [ … final}), OSC ({@code ESC ] … BEL} or {@code ESC \}) and
     * other escape sequences removed, {@code \r\n} read as a newline, and every other control character but newline
     * and tab dropped.
     */
    static String plain(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == ESC) {
                i = skipEscape(s, i + 1);
                continue;
            }
            if (c == 0x9b) { // the one-character CSI
                i = skipCsi(s, i + 1);
                continue;
            }
            if (c == '\n' || c == '\t') {
                out.append(c);
            } else if (c == '\r') {
                if (i + 1 >= n || s.charAt(i + 1) != '\n') {
                    out.append('\n'); // a lone carriage return starts the line again: shown as a new line
                }
            } else if (!Character.isISOControl(c)) {
                out.append(c);
            }
            i++;
        }
        return out.toString();
    }

    private static int skipEscape(String s, int i) {
        if (i >= s.length()) {
            return i;
        }
        char c = s.charAt(i);
        if (c == '[') {
            return skipCsi(s, i + 1);
        }
        if (c == ']' || c == 'P' || c == '_' || c == '^') {
            // OSC, DCS, APC, PM: a string ended by BEL or ST (ESC \)
            for (int j = i + 1; j < s.length(); j++) {
                if (s.charAt(j) == BEL) {
                    return j + 1;
                }
                if (s.charAt(j) == ESC && j + 1 < s.length() && s.charAt(j + 1) == '\\') {
                    return j + 2;
                }
            }
            return s.length();
        }
        if (c >= 0x20 && c <= 0x2f) {
            // intermediates, then one final byte (e.g. ESC ( B)
            int j = i;
            while (j < s.length() && s.charAt(j) >= 0x20 && s.charAt(j) <= 0x2f) {
                j++;
            }
            return Math.min(j + 1, s.length());
        }
        return i + 1; // a two-character sequence (ESC =, ESC 7, …)
    }

    private static int skipCsi(String s, int i) {
        int j = i;
        // parameter and intermediate bytes (0x20–0x3f), then one final byte (0x40–0x7e)
        while (j < s.length() && s.charAt(j) >= 0x20 && s.charAt(j) <= 0x3f) {
            j++;
        }
        return Math.min(j + 1, s.length());
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }
}
