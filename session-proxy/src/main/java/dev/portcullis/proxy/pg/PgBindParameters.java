package dev.portcullis.proxy.pg;

import dev.portcullis.proxy.pg.codec.PgFrontendMessages.Bind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A Bind's parameter values as the policy input and the recording show them: text, or common binary types read. */
final class PgBindParameters {

    private PgBindParameters() {}

    static JsonArray of(Bind bind, int[] types) {
        JsonArray out = new JsonArray();
        for (int i = 0; i < bind.parameters().size(); i++) {
            Buffer v = bind.parameters().get(i);
            if (v == null) {
                out.addNull();
            } else if (bind.parameterFormat(i) == 0) {
                out.add(v.toString(StandardCharsets.UTF_8));
            } else {
                out.add(binaryParameter(i < types.length ? types[i] : 0, v));
            }
        }
        return out;
    }

    /** Binary parameters of common scalar types as text, so policy and recordings can read them. */
    static String binaryParameter(int type, Buffer v) {
        return switch (type) {
            case 16 -> v.length() == 1 ? String.valueOf(v.getByte(0) != 0) : base64(v);
            case 21 -> v.length() == 2 ? String.valueOf(v.getShort(0)) : base64(v);
            case 23 -> v.length() == 4 ? String.valueOf(v.getInt(0)) : base64(v);
            case 20 -> v.length() == 8 ? String.valueOf(v.getLong(0)) : base64(v);
            case 700 -> v.length() == 4 ? String.valueOf(v.getFloat(0)) : base64(v);
            case 701 -> v.length() == 8 ? String.valueOf(v.getDouble(0)) : base64(v);
            case 25, 1043, 1042, 19 -> v.toString(StandardCharsets.UTF_8);
            default -> base64(v);
        };
    }

    private static String base64(Buffer v) {
        return "base64:" + Base64.getEncoder().encodeToString(v.getBytes());
    }
}
