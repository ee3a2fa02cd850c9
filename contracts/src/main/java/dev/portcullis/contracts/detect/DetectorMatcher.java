package dev.portcullis.contracts.detect;

/**
 * The matches of one {@link Detector} in one text, left to right, without overlap (like {@code Matcher.find()}).
 * Not thread-safe; one per text.
 */
public interface DetectorMatcher {

    /** Moves to the next match; false when there is none. */
    boolean find();

    /** Where the current match starts (inclusive). */
    int start();

    /** Where the current match ends (exclusive). */
    int end();
}
