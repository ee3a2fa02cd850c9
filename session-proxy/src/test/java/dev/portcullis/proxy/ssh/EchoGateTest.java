package dev.portcullis.proxy.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Only lines the terminal echoed are recorded; a line typed with echo off (a password) never is. */
class EchoGateTest {

    final List<String> recorded = new ArrayList<>();
    int withheld;
    final EchoGate gate = new EchoGate(recorded::add, () -> withheld++);

    private void out(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        gate.output(b, 0, b.length);
    }

    private void type(String line) {
        gate.lineStarted();
        gate.typed(line);
    }

    @Test
    void anEchoedLineIsRecorded() {
        out("$ ");
        gate.lineStarted();
        out("ls -la");
        gate.typed("ls -la");
        assertThat(recorded).containsExactly("ls -la");
        assertThat(withheld).isZero();
    }

    @Test
    void anEchoArrivingAfterTheLineStillCounts() {
        out("$ ");
        type("uptime");
        assertThat(recorded).isEmpty();
        out("uptime\r\n 10:00:00 up 1 day\r\n$ ");
        assertThat(recorded).containsExactly("uptime");
    }

    @Test
    void aLineTypedAtAPasswordPromptIsNeverRecordedEvenIfItComesBackLater() {
        out("$ ");
        type("sudo -k id");
        out("sudo -k id\r\n[sudo] password for agent: ");
        type("hunter2");
        out("\r\nhunter2 is printed by chance\r\n");
        assertThat(recorded).containsExactly("sudo -k id");
        assertThat(withheld).isEqualTo(1);
    }

    @Test
    void aLineNotEchoedIsSettledByTheNextEchoedLine() {
        out("Enter the code> ");
        type("s3cr3t-code");
        out("\r\n$ ");
        type("whoami");
        out("whoami\r\nagent\r\n$ ");
        assertThat(recorded).containsExactly("whoami");
        assertThat(withheld).isEqualTo(1);
    }

    @Test
    void aLineNeverEchoedIsWithheldAfterTheWindowOrAtTheEnd() {
        out("> ");
        type("first-secret");
        out("x".repeat(EchoGate.WINDOW + 1));
        assertThat(withheld).isEqualTo(1);
        type("second-secret");
        gate.close();
        assertThat(withheld).isEqualTo(2);
        assertThat(recorded).isEmpty();
    }

    @Test
    void escapesAndBackspacesInTheEchoAreReadAsATerminalShowsThem() throws IOException {
        // the agent types "lx", erases the x, types "s": the shell echoes x, then "\b \b", then s
        ProxiedChannel.CommandLineTap tap = new ProxiedChannel.CommandLineTap(
                new ByteArrayInputStream("lx\u007fs\r".getBytes(StandardCharsets.ISO_8859_1)), gate);
        ByteArrayOutputStream agent = new ByteArrayOutputStream();
        ProxiedChannel.EchoTap echo = new ProxiedChannel.EchoTap(agent, gate);
        echo.write("\u001b]0;title\u0007\u001b[01;32m$\u001b[0m ".getBytes(StandardCharsets.ISO_8859_1));
        tap.readAllBytes();
        echo.write("lx\b \bs\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(recorded).containsExactly("ls");
        assertThat(agent.toString(StandardCharsets.ISO_8859_1)).endsWith("lx\b \bs\r\n");
    }
}
