package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LineDiffTest {

    @Test
    void keptRemovedAndAddedLinesInOrder() {
        assertEquals(
                List.of(
                        new LineDiff.Line(' ', "rules:"),
                        new LineDiff.Line('-', "  - id: a"),
                        new LineDiff.Line('+', "  - id: b"),
                        new LineDiff.Line(' ', "    effect: deny"),
                        new LineDiff.Line('+', "    message: no")),
                LineDiff.of(
                        "rules:\n  - id: a\n    effect: deny",
                        "rules:\n  - id: b\r\n    effect: deny\n    message: no"));
    }

    @Test
    void aCreationIsAllAddedAndADeletionAllRemoved() {
        assertEquals(List.of(new LineDiff.Line('+', "a"), new LineDiff.Line('+', "b")), LineDiff.of(null, "a\nb"));
        assertEquals(List.of(new LineDiff.Line('-', "a")), LineDiff.of("a", ""));
        assertEquals(List.of(), LineDiff.of(null, null));
    }

    @Test
    void documentsPastTheLimitAreNotDiffed() {
        String big = "x\n".repeat(LineDiff.MAX_LINES + 1);
        assertTrue(LineDiff.tooLong(big, "y"));
        assertEquals(List.of(), LineDiff.of(big, "y"));
    }
}
