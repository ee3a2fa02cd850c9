package dev.portcullis.proxy.ssh;

import java.util.List;
import org.apache.sshd.server.auth.keyboard.InteractiveChallenge;
import org.apache.sshd.server.auth.keyboard.KeyboardInteractiveAuthenticator;
import org.apache.sshd.server.auth.keyboard.PromptEntry;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.session.ServerSession;

/**
 * Keyboard-interactive login with the token given in parts. OpenSSH's {@code ssh} cuts every
 * password or prompt answer at 1023 characters, and agent tokens from Keycloak are longer, so the
 * challenge asks for {@value #PARTS} parts (at most {@value #PART_LENGTH} characters each, unused
 * ones empty) and joins them. A client that gives the whole (short) token to every prompt, as
 * {@code sshpass} does, is understood too.
 */
final class TokenPrompt implements KeyboardInteractiveAuthenticator {

    static final int PARTS = 4;
    static final int PART_LENGTH = 1000;

    private final PasswordAuthenticator tokens;

    TokenPrompt(PasswordAuthenticator tokens) {
        this.tokens = tokens;
    }

    @Override
    public InteractiveChallenge generateChallenge(
            ServerSession session, String username, String lang, String subMethods) {
        InteractiveChallenge c = new InteractiveChallenge();
        c.setInteractionName("Portcullis");
        c.setInteractionInstruction("Enter your Portcullis token in parts of at most " + PART_LENGTH
                + " characters; leave the unused parts empty.");
        c.setLanguageTag("");
        for (int i = 1; i <= PARTS; i++) {
            c.addPrompt(new PromptEntry("Portcullis token (part " + i + " of " + PARTS + "): ", false));
        }
        return c;
    }

    @Override
    public boolean authenticate(ServerSession session, String username, List<String> responses) throws Exception {
        if (responses == null || responses.isEmpty()) {
            return false;
        }
        return tokens.authenticate(username, join(responses), session);
    }

    /** The parts joined; the same non-empty answer to every prompt is one whole token. */
    static String join(List<String> responses) {
        String first = responses.get(0);
        if (responses.size() > 1 && !first.isEmpty() && responses.stream().allMatch(first::equals)) {
            return first;
        }
        return String.join("", responses).strip();
    }
}
