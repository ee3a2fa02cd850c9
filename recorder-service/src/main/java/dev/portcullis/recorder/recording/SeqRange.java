package dev.portcullis.recorder.recording;

/** An inclusive range of seq numbers (a gap in a recording). */
public record SeqRange(long from, long to) {

    @Override
    public String toString() {
        return from == to ? Long.toString(from) : from + "-" + to;
    }
}
