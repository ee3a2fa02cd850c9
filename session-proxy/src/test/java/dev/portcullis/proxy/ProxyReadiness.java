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
}
