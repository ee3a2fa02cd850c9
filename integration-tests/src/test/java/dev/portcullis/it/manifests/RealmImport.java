package dev.portcullis.it.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The production realm as kubernetes/hack/realm-import.sh derives it from
 * keycloak-realm/portcullis-realm.json (the same rules, written again independently, so the test
 * notices when the checked-in CR and the realm file drift apart): dev clients, human users and
 * {@code conn:*} scopes dropped, secrets turned into placeholders, the console's URIs made public.
 */
public final class RealmImport {

    private RealmImport() {}

    public static String placeholder(String clientId) {
        return clientId.toUpperCase(Locale.ROOT).replace('-', '_') + "_CLIENT_SECRET";
    }

    static boolean devClient(JsonNode c) {
        return "portcullis-cli".equals(c.path("clientId").asText())
                || "true"
                        .equals(c.path("attributes").path("portcullis.dev-only").asText());
    }

    /**
     * @param consoleUrl the console's public URL ({@code PORTCULLIS_CONSOLE_URL} of the base endpoints ConfigMap):
     *     the redirect and post-logout URIs of {@code portcullis-console} instead of the dev realm's loopback ones
     */
    public static ObjectNode production(JsonNode devRealm, String consoleUrl) {
        ObjectNode r = devRealm.deepCopy();
        List<String> dropped = new ArrayList<>();
        ArrayNode clients = (ArrayNode) r.get("clients");
        for (Iterator<JsonNode> it = clients.iterator(); it.hasNext(); ) {
            JsonNode c = it.next();
            if (devClient(c)) {
                dropped.add(c.path("clientId").asText());
                it.remove();
                continue;
            }
            ObjectNode oc = (ObjectNode) c;
            if (oc.has("secret")) {
                oc.put("secret", "${" + placeholder(oc.get("clientId").asText()) + "}");
            }
            if ("portcullis-console".equals(oc.path("clientId").asText())) {
                oc.set("redirectUris", JSON.createArrayNode().add(consoleUrl + "/*"));
                ((ObjectNode) oc.get("attributes")).put("post.logout.redirect.uris", consoleUrl + "/*");
            }
            dropConn(oc, "defaultClientScopes");
            dropConn(oc, "optionalClientScopes");
        }
        ArrayNode scopes = (ArrayNode) r.get("clientScopes");
        for (Iterator<JsonNode> it = scopes.iterator(); it.hasNext(); ) {
            if (it.next().path("name").asText().startsWith("conn:")) {
                it.remove();
            }
        }
        dropConn(r, "defaultOptionalClientScopes");
        dropConn(r, "defaultDefaultClientScopes");
        ArrayNode users = (ArrayNode) r.get("users");
        for (Iterator<JsonNode> it = users.iterator(); it.hasNext(); ) {
            JsonNode u = it.next();
            if (!u.has("serviceAccountClientId")
                    || dropped.contains(u.get("serviceAccountClientId").asText())) {
                it.remove();
            }
        }
        return r;
    }

    private static void dropConn(ObjectNode o, String field) {
        if (o.get(field) instanceof ArrayNode a) {
            for (Iterator<JsonNode> it = a.iterator(); it.hasNext(); ) {
                if (it.next().asText().startsWith("conn:")) {
                    it.remove();
                }
            }
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();
}
