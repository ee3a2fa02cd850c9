package dev.portcullis.contracts.connections;

/**
 * One thing wrong with a connections file. {@link #toString()} is the text every service reports (and the golden
 * fixtures expect): the path of the field, then what is wrong, e.g. {@code connections.pg-prod.maxSessionDuration:
 * 'PT1X' is not an ISO-8601 duration such as PT30M, PT1H or P1D}. It never quotes a credential's value.
 *
 * @param connection the connection's name; null for the file itself
 * @param field the field's path inside the connection ({@code credentials.write.username}) or the file; null for the
 *     whole connection (or file)
 * @param message what is wrong
 */
public record ConnectionError(String connection, String field, String message) {

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (connection != null) {
            b.append("connections.").append(connection);
        }
        if (field != null) {
            b.append(b.isEmpty() ? "" : ".").append(field);
        }
        return b.isEmpty() ? message : b.append(": ").append(message).toString();
    }
}
