package dev.portcullis.proxy;

import static io.restassured.RestAssured.given;

/** Waits for {@code /q/health/ready}: the kill-switch consumer reads its topics only from then on. */
public final class ProxyReadiness {

    private ProxyReadiness() {}

    /** Before a test publishes a control event (agent.disabled, review decisions). */
    public static void await() throws InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        int status;
        while ((status = given().get("/q/health/ready").statusCode()) != 200) {
            if (System.nanoTime() > end) {
                throw new AssertionError("session-proxy not ready after 60 s (HTTP " + status + ")");
            }
            Thread.sleep(100);
        }
    }

    /**
     * After a test's kill switch (agent.disabled) has been applied, waits until a token minted now is no longer cut off:
     * a token's {@code iat} has whole seconds and one of the kill switch's own second is refused, so the next test's
     * fresh token must come from a later second.
     */
    public static void afterKillSwitch(String agent) throws InterruptedException {
        var registry = io.quarkus.arc.Arc.container()
                .instance(dev.portcullis.proxy.enforcement.SessionRegistry.class)
                .get();
        long end = System.nanoTime() + 5_000_000_000L;
        while (registry.cutOff(agent, java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), "")) {
            if (System.nanoTime() > end) {
                throw new AssertionError("tokens of " + agent + " minted now are still cut off after 5 s");
            }
            Thread.sleep(50);
        }
    }
}
