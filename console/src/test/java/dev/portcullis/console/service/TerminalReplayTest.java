package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class TerminalReplayTest {

    @Test
    void outputChunksArePlayedWithTheirTimesAndInputAndBrokenLinesAreNot() throws Exception {
        String cast = String.join(
                "\n",
                "{\"version\":2,\"width\":120,\"height\":40,\"timestamp\":1764940000}",
                "[0.5,\"i\",\"ls\\r\"]",
                "[0.25,\"o\",\"$ ls\\r\\n\"]",
                "not json",
                "[\"x\",\"o\",\"no time\"]",
                "[1.75,\"o\",\"a.txt  <b>b</b>.txt\\r\\n\"]",
                "[2.0,\"o\",\"\\u001b[0m\"]",
                "");
        TerminalReplay.Replay r = TerminalReplay.read(new BufferedReader(new StringReader(cast)));
        assertEquals(200, r.status());
        assertEquals(120, r.width());
        assertEquals(40, r.height());
        // markup stays literal text: the page sets it with text nodes
        assertEquals(
                List.of(
                        new TerminalReplay.Frame(0.25, "$ ls\n"),
                        new TerminalReplay.Frame(1.75, "a.txt  <b>b</b>.txt\n")),
                r.frames());
        assertFalse(r.truncated());
    }

    @Test
    void escapeSequencesAndControlCharactersAreDropped() {
        // colours, cursor moves, a window title (OSC ended by BEL and by ST), a charset switch, a bell, a NUL
        assertEquals(
                "red plain\ttab\nnext\nline",
                TerminalReplay.plain("\u001b[1;31mred\u001b[0m \u001b[2J\u001b[Hplain\u001b]0;title\u0007\ttab"
                        + "\u001b]2;t2\u001b\\\r\nnext\u001b(B\u0007\u0000\rline"));
        assertEquals("x", TerminalReplay.plain("x\u001b["));
        assertEquals("ab", TerminalReplay.plain("a\u009b2Kb"));
    }

    @Test
    void outputPastTheLimitIsCutAndSaysSo() throws Exception {
        String chunk = "y".repeat(1024 * 1024);
        StringBuilder cast = new StringBuilder("{\"version\":2}\n");
        for (int i = 0; i < 5; i++) {
            cast.append("[").append(i).append(",\"o\",\"").append(chunk).append("\"]\n");
        }
        TerminalReplay.Replay r = TerminalReplay.read(new BufferedReader(new StringReader(cast.toString())));
        assertTrue(r.truncated());
        assertEquals(4, r.frames().size());
        assertEquals(80, r.width());
    }
}
