package dev.portcullis.proxy.pg.codec;

/**
 * Wire constants of PostgreSQL protocol 3.0, one per byte, grouped by family (names as in the
 * PostgreSQL documentation, chapter "Message Formats").
 */
public final class PgProtocol {

    // Untyped startup-phase packets: the int32 code that follows the length.
    public static final int PROTOCOL_3_0 = 196608;
    public static final int SSL_REQUEST = 80877103;
    public static final int GSSENC_REQUEST = 80877104;
    public static final int CANCEL_REQUEST = 80877102;

    // Backend messages, hot ones first.
    public static final byte DATA_ROW = 'D';
    public static final byte COMMAND_COMPLETE = 'C';
    public static final byte READY_FOR_QUERY = 'Z';
    public static final byte ROW_DESCRIPTION = 'T';
    public static final byte PARSE_COMPLETE = '1';
    public static final byte BIND_COMPLETE = '2';
    public static final byte CLOSE_COMPLETE = '3';
    public static final byte NO_DATA = 'n';
    public static final byte PARAMETER_DESCRIPTION = 't';
    public static final byte PORTAL_SUSPENDED = 's';
    public static final byte EMPTY_QUERY_RESPONSE = 'I';
    public static final byte ERROR_RESPONSE = 'E';
    public static final byte NOTICE_RESPONSE = 'N';
    public static final byte NOTIFICATION_RESPONSE = 'A';
    public static final byte PARAMETER_STATUS = 'S';
    public static final byte BACKEND_KEY_DATA = 'K';
    public static final byte AUTHENTICATION = 'R';
    public static final byte NEGOTIATE_PROTOCOL_VERSION = 'v';
    public static final byte COPY_IN_RESPONSE = 'G';
    public static final byte COPY_OUT_RESPONSE = 'H';
    public static final byte COPY_BOTH_RESPONSE = 'W';
    public static final byte FUNCTION_CALL_RESPONSE = 'V';

    // Frontend messages.
    public static final byte QUERY = 'Q';
    public static final byte PARSE = 'P';
    public static final byte BIND = 'B';
    public static final byte DESCRIBE = 'D';
    public static final byte EXECUTE = 'E';
    public static final byte SYNC = 'S';
    public static final byte FLUSH = 'H';
    public static final byte CLOSE = 'C';
    public static final byte TERMINATE = 'X';
    public static final byte PASSWORD_MESSAGE = 'p';
    public static final byte FUNCTION_CALL = 'F';

    // Shared by both directions.
    public static final byte COPY_DATA = 'd';
    public static final byte COPY_DONE = 'c';
    public static final byte COPY_FAIL = 'f';

    // Authentication request codes (the int32 after 'R').
    public static final int AUTH_OK = 0;
    public static final int AUTH_CLEARTEXT_PASSWORD = 3;
    public static final int AUTH_MD5_PASSWORD = 5;
    public static final int AUTH_SASL = 10;
    public static final int AUTH_SASL_CONTINUE = 11;
    public static final int AUTH_SASL_FINAL = 12;

    // Describe / Close targets.
    public static final byte TARGET_STATEMENT = 'S';
    public static final byte TARGET_PORTAL = 'P';

    // ReadyForQuery transaction status.
    public static final byte TX_IDLE = 'I';
    public static final byte TX_IN_BLOCK = 'T';
    public static final byte TX_FAILED = 'E';

    // Error and notice field codes.
    public static final byte FIELD_SEVERITY = 'S';
    public static final byte FIELD_SEVERITY_NONLOCALIZED = 'V';
    public static final byte FIELD_CODE = 'C';
    public static final byte FIELD_MESSAGE = 'M';
    public static final byte FIELD_DETAIL = 'D';
    public static final byte FIELD_HINT = 'H';
    public static final byte FIELD_WHERE = 'W';

    // SQLSTATE values the proxy itself raises.
    public static final String SQLSTATE_INVALID_AUTHORIZATION = "28000";
    public static final String SQLSTATE_INVALID_PASSWORD = "28P01";
    public static final String SQLSTATE_INSUFFICIENT_PRIVILEGE = "42501";
    public static final String SQLSTATE_PROTOCOL_VIOLATION = "08P01";
    public static final String SQLSTATE_CONNECTION_FAILURE = "08006";
    public static final String SQLSTATE_CANNOT_CONNECT = "08001";
    public static final String SQLSTATE_TOO_MANY_CONNECTIONS = "53300";
    public static final String SQLSTATE_ADMIN_SHUTDOWN = "57P01";
    public static final String SQLSTATE_CANNOT_CONNECT_NOW = "57P03";
    public static final String SQLSTATE_PROGRAM_LIMIT = "54000";
    public static final String SQLSTATE_FEATURE_NOT_SUPPORTED = "0A000";
    public static final String SQLSTATE_IDLE_TIMEOUT = "57P05";

    private PgProtocol() {}
}
