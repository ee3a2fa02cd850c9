package dev.portcullis.broker.notify;

import dev.portcullis.broker.config.BrokerConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Optional Slack-compatible webhook ({@code {"text": "..."}}) for new access requests and
 * reviews. Best effort: a failing webhook is logged and never fails the action.
 */
@ApplicationScoped
public class Notifier {

    private static final Logger LOG = Logger.getLogger(Notifier.class);

    private final Optional<String> url;
    private final WebClient client;

    public Notifier(BrokerConfig config, Vertx vertx) {
        this.url = config.notifications().webhookUrl().filter(s -> !s.isBlank());
        this.client = url.isPresent() ? WebClient.create(vertx) : null;
    }

    public Uni<Void> notify(String text) {
        if (url.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return client.postAbs(url.get())
                .timeout(3000)
                .sendJsonObject(new JsonObject().put("text", text))
                .onItem()
                .invoke(r -> {
                    if (r.statusCode() >= 300) {
                        LOG.warnf("webhook answered %d", r.statusCode());
                    }
                })
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.warnf("webhook failed: %s", e.getMessage());
                    return null;
                });
    }
}
