package dev.portcullis.proxy.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The SSH gateway's pure parts: login names, token parts, stream masking. */
class SshUnitsTest {

    private static final List<MaskRule> CARDS = List.of(new MaskRule(null, "credit_card", "redact"));

    @Test
    void loginNamesConnectionOrAgentAtConnection() {
        assertEquals(new SshProxyServer.Login(Optional.empty(), "web-prod"), SshProxyServer.Login.parse("web-prod"));
        assertEquals(
                new SshProxyServer.Login(Optional.of("ci-bot"), "web-prod"),
                SshProxyServer.Login.parse("ci-bot@web-prod"));
    }

    @Test
    void tokenPartsAreJoinedAndARepeatedWholeTokenIsTakenOnce() {
        assertEquals("aaabbb", TokenPrompt.join(List.of("aaa", "bbb", "", "")));
        assertEquals("tok", TokenPrompt.join(List.of("tok", "tok", "tok", "tok")));
        assertEquals("tok", TokenPrompt.join(List.of("tok")));
    }

    @Test
    void lineModeMasksACardSplitAcrossWrites() throws Exception {
        ByteArrayOutputStream agent = new ByteArrayOutputStream();
        List<String> recorded = new ArrayList<>();
        MaskingOutputStream m =
                new MaskingOutputStream(agent, new Masker(new byte[32]), CARDS, true, 1024, recorded::add);
        for (String piece : List.of("card 4111 11", "11 1111 1111 ok\nnext ", "line")) {
            m.write(piece.getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("card [REDACTED] ok\n", agent.toString(StandardCharsets.UTF_8), "held until the newline");
        m.drain();
        assertEquals("card [REDACTED] ok\nnext line", agent.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("card [REDACTED] ok\n", "next line"), recorded);
    }

    @Test
    void chunkModePassesPromptsAtOnce() throws Exception {
        ByteArrayOutputStream agent = new ByteArrayOutputStream();
        MaskingOutputStream m = new MaskingOutputStream(agent, new Masker(new byte[32]), CARDS, false, 1024, s -> {});
        m.write("$ ".getBytes(StandardCharsets.UTF_8));
        assertEquals("$ ", agent.toString(StandardCharsets.UTF_8));
    }
}
