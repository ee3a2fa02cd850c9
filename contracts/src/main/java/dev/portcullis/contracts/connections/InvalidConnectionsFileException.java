package dev.portcullis.contracts.connections;

import java.util.List;
import java.util.stream.Collectors;

/** A connections file that failed {@link ConnectionsFile#validate}; the message lists every error. */
public final class InvalidConnectionsFileException extends IllegalArgumentException {

    private final transient List<ConnectionError> errors;

    public InvalidConnectionsFileException(List<ConnectionError> errors) {
        super(errors.size()
                + (errors.size() == 1 ? " error: " : " errors: ")
                + errors.stream().map(ConnectionError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public List<ConnectionError> errors() {
        return errors;
    }
}
