package dev.portcullis.proxy;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.events.EventPublisher;
import dev.portcullis.proxy.events.Recorded;
import dev.portcullis.proxy.events.SessionEventAuth;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusMock;
import jakarta.enterprise.inject.Vetoed;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The proxy's own {@link EventPublisher}, except that the session events a test names are given up, as the real one
 * gives up an event Kafka and the spool cannot take ({@code when-unrecorded=refuse}, docs/architecture.md
 * "Delivery"): never published, and the session hears it is not recorded. Everything else goes to Kafka as always.
 * A Kafka stall cannot be aimed at one event of one request; this can, so a test can pin what a protocol answers
 * when exactly that event is lost.
 *
 * <p>{@code @Vetoed}: it would inherit the publisher's {@code @ApplicationScoped} and make a second bean.
 */
@Vetoed
public final class UnrecordablePublisher extends EventPublisher {

    private final EventPublisher real;
    private final Predicate<CloudEvent<?>> giveUp;
    /** Session events given up so far. */
    public final AtomicInteger givenUp = new AtomicInteger();
    /** Requests the protocols reported refused for it ({@link #requestRefused}). */
    public final AtomicInteger refusedRequests = new AtomicInteger();

    private UnrecordablePublisher(EventPublisher real, Predicate<CloudEvent<?>> giveUp) {
        super(eventsDisabled()); // no producer of its own: everything recorded goes through the real publisher
        this.real = real;
        this.giveUp = giveUp;
    }

    /**
     * Installs it for the current test in place of the application's publisher ({@code events}, as injected): every
     * protocol reaches the publisher through its CDI client proxy, so the swap holds for sessions opened from now.
     */
    public static UnrecordablePublisher install(EventPublisher events, Predicate<CloudEvent<?>> giveUp) {
        UnrecordablePublisher publisher = new UnrecordablePublisher(ClientProxy.unwrap(events), giveUp);
        QuarkusMock.installMockForType(publisher, EventPublisher.class);
        return publisher;
    }

    private static ProxyConfig eventsDisabled() {
        ProxyConfig.Events events = (ProxyConfig.Events) Proxy.newProxyInstance(
                ProxyConfig.Events.class.getClassLoader(),
                new Class<?>[] {ProxyConfig.Events.class},
                (p, m, a) -> m.getReturnType() == boolean.class ? false : null);
        return (ProxyConfig) Proxy.newProxyInstance(
                ProxyConfig.class.getClassLoader(), new Class<?>[] {ProxyConfig.class}, (p, m, a) -> events);
    }

    @Override
    public void publish(String topic, String key, CloudEvent<?> event) {
        real.publish(topic, key, event);
    }

    @Override
    public void publish(String topic, String key, CloudEvent<?> event, Recorded recorded) {
        if (!givenUp(topic, event, recorded)) {
            real.publish(topic, key, event, recorded);
        }
    }

    /** Session events arrive here, written already (SessionRecorder). */
    @Override
    public void publish(String topic, String key, CloudEvent<?> event, String json, Recorded recorded) {
        if (!givenUp(topic, event, recorded)) {
            real.publish(topic, key, event, json, recorded);
        }
    }

    /** Gives the event up, as the real publisher does when it cannot record one, if the test names it. */
    private boolean givenUp(String topic, CloudEvent<?> event, Recorded recorded) {
        if (Topics.SESSION_EVENTS.equals(topic) && giveUp.test(event)) {
            givenUp.incrementAndGet();
            recorded.recorded(false);
            return true;
        }
        return false;
    }

    @Override
    public SessionEventAuth sessionEventAuth() {
        return real.sessionEventAuth();
    }

    @Override
    public boolean canRecord() {
        return real.canRecord();
    }

    @Override
    public boolean writeAhead() {
        return real.writeAhead();
    }

    @Override
    public Duration holdTimeout() {
        return real.holdTimeout();
    }

    @Override
    public void requestRefused() {
        refusedRequests.incrementAndGet();
        real.requestRefused();
    }

    @Override
    public long dropped() {
        return real.dropped();
    }

    @Override
    public long published() {
        return real.published();
    }
}
