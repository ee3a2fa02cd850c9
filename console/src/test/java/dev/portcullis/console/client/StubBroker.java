package dev.portcullis.console.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link BrokerClient} over a stand-in for identity-broker's REST client: every call to {@link BrokerApi} is
 * recorded (method and arguments) and answered with one status and JSON body. For the tests of the console's routes:
 * what they send to the broker, with which token, and whether they call it at all.
 */
public final class StubBroker {

    /** One call of {@link BrokerApi}: its method's name and its arguments as passed. */
    public record Call(String method, List<Object> args) {}

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final BrokerClient client;

    private StubBroker(int status, String json) {
        BrokerApi api = (BrokerApi) Proxy.newProxyInstance(
                BrokerApi.class.getClassLoader(), new Class<?>[] {BrokerApi.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.invoke(this, args);
                    }
                    calls.add(new Call(method.getName(), args == null ? List.of() : Arrays.asList(args)));
                    Response.ResponseBuilder r = Response.status(status);
                    if (json != null) {
                        r.entity(json).type(MediaType.APPLICATION_JSON_TYPE);
                    }
                    return Uni.createFrom().item(r.build());
                });
        this.client = new BrokerClient(api, new ObjectMapper());
    }

    /** A broker that answers every call with {@code status} and {@code json} (none when null). */
    public static StubBroker answering(int status, String json) {
        return new StubBroker(status, json);
    }

    public BrokerClient client() {
        return client;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }
}
