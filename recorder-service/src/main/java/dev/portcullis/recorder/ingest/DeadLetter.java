package dev.portcullis.recorder.ingest;

import dev.portcullis.recorder.events.Rejection;

/** An input record the recorder parks: where it came from, the bytes, and why. */
public record DeadLetter(
        String sourceTopic, int partition, long offset, String key, byte[] value, Rejection rejection) {

    /** Header names on a parked record: why ({@link Rejection#reason()}), the detail, and where it came from. */
    public static final String HEADER_REASON = "portcullis-dlq-reason";

    public static final String HEADER_DETAIL = "portcullis-dlq-detail";
    /** {@code <topic>-<partition>@<offset>} of the record as it arrived. */
    public static final String HEADER_SOURCE = "portcullis-dlq-source";
    /** The size of a record parked cut short (Kafka's message size limit). */
    public static final String HEADER_ORIGINAL_SIZE = "portcullis-dlq-original-size";

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
