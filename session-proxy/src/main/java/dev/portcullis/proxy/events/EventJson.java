package dev.portcullis.proxy.events;

import dev.portcullis.contracts.events.CloudEvent;
import io.vertx.core.json.JsonObject;

/**
 * The JSON of an event, without reflection on the per-statement path: contracts' {@link CloudEvent} attribute by
 * attribute ({@link CloudEvent#forEachAttribute}, the same JSON Jackson writes for the record). A session event's
 * data is already JSON; a payload record (review.requested's, once per review) is mapped by Vert.x's codec.
 */
final class EventJson {

    private EventJson() {}

    static JsonObject toJson(CloudEvent<?> event) {
        JsonObject json = new JsonObject();
        event.forEachAttribute((name, value) -> json.put(
                name,
                value instanceof JsonObject || !CloudEvent.Attr.DATA.equals(name) ? value : JsonObject.mapFrom(value)));
        return json;
    }

    static String encode(CloudEvent<?> event) {
        return Json.encode(toJson(event));
    }
}
