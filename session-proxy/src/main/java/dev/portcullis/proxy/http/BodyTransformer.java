package dev.portcullis.proxy.http;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/** Rewrites a response body as it streams: each piece in, what can be sent so far out. */
interface BodyTransformer {

    /** @throws IOException when the body cannot be read (the response is then cut off, never passed unmasked) */
    Buffer feed(Buffer in) throws IOException;

    /** The end of the body: whatever is left. */
    Buffer end() throws IOException;
}
