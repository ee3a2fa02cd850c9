package dev.portcullis.recorder.ingest;

import dev.portcullis.recorder.events.Rejection;

/** An input record the recorder parks: where it came from, the bytes, and why. */
public record DeadLetter(
        String sourceTopic, int partition, long offset, String key, byte[] value, Rejection rejection) {

    /** The record's offset in its partition (-1 when the record does not say). */
    public static long offsetOf(io.smallrye.reactive.messaging.kafka.KafkaRecord<?, ?> r) {
        return r instanceof io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord<?, ?> in ? in.getOffset() : -1;
    }

    @Override
    public String toString() {
        // never the value: it may be anything, including secrets a broken producer leaked
        return "DeadLetter[" + sourceTopic + "-" + partition + "@" + offset + " " + rejection.reason() + "]";
    }
}
