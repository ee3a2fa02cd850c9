package dev.portcullis.broker.notify;

import dev.portcullis.broker.config.BrokerConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Optional Slack-compatible webhook ({@code {"text": "..."}}) for new access requests and
 * reviews, each with a link to the console page that decides it when {@code portcullis.console.url} is set
 * ({@link Notices}). Best effort: a failing webhook is logged and never fails the action.
 */
@ApplicationScoped
public class Notifier {

    private static final Logger LOG = Logger.getLogger(Notifier.class);

    private final Optional<String> url;
    private final Notices notices;
    private final WebClient client;

    @Inject
    public Notifier(BrokerConfig config, Vertx vertx) {
        this(config.notifications().webhookUrl(), config.console().url(), vertx);
    }

    /** For tests: the webhook's URL and the console's, as configured. */
    Notifier(Optional<String> webhookUrl, Optional<String> consoleUrl, Vertx vertx) {
        this.url = webhookUrl.filter(s -> !s.isBlank());
        this.notices = Notices.of(consoleUrl);
        this.client = url.isPresent() ? WebClient.create(vertx) : null;
    }

    /** A new review (its id, agent and connection as stored), with a link to the console's Reviews page. */
    public Uni<Void> reviewRequested(String reviewId, String agent, String connection) {
        return notify(notices.reviewRequested(reviewId, agent, connection));
    }

    /** A new access request, with a link to the console's Access requests page. */
    public Uni<Void> accessRequested(UUID id, String agent, String scope, Duration duration, String reason) {
        return notify(notices.accessRequested(id, agent, scope, duration, reason));
    }

    Uni<Void> notify(String text) {
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
