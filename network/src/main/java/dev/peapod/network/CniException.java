package dev.peapod.network;

/**
 * A CNI plugin failed. Carries the plugin's error object (CNI spec 1.0, section 5 "Error":
 * {@code code}, {@code msg}, {@code details}) and its stderr, so that events can show the
 * plugin's own words and callers can react to the well-known codes (11 = try again later).
 * The message reads "failed to set up pod network (plugin bridge): MSG: DETAILS".
 */
public final class CniException extends NetworkException {
    /** {@link #code()} when the plugin printed no error object (it crashed, timed out, or is missing). */
    public static final int NO_CODE = -1;
    /** Well-known code 3: the container is unknown; no network cleanup is needed. */
    public static final int CONTAINER_UNKNOWN = 3;
    /** Well-known code 11: a transient condition; the runtime should retry later. */
    public static final int TRY_AGAIN_LATER = 11;

    private final String plugin;
    private final String command;
    private final int code;
    private final String msg;
    private final String details;
    private final String stderr;

    CniException(String plugin, String command, int code, String msg, String details, String stderr, Throwable cause) {
        super(message(plugin, command, msg, details), cause);
        this.plugin = plugin;
        this.command = command;
        this.code = code;
        this.msg = msg;
        this.details = details;
        this.stderr = stderr;
    }

    private static String message(String plugin, String command, String msg, String details) {
        String text = "failed to " + verb(command) + " pod network (plugin " + plugin + "): " + msg;
        return details == null || details.isBlank() ? text : text + ": " + details;
    }

    /** The verb of the error message for a CNI command. */
    static String verb(String command) {
        return switch (command) {
            case "ADD" -> "set up";
            case "DEL" -> "tear down";
            case "CHECK" -> "check";
            default -> "run " + command + " on";
        };
    }

    /** The plugin type (executable name), e.g. {@code bridge}. */
    public String plugin() { return plugin; }
    /** ADD, DEL or CHECK. */
    public String command() { return command; }
    /** The error object's code, or {@link #NO_CODE}. */
    public int code() { return code; }
    /** The error object's short message (or our description of the failure). */
    public String msg() { return msg; }
    /** The error object's longer description; may be empty. */
    public String details() { return details; }
    /** Whatever the plugin wrote to stderr (its logs); may be empty. */
    public String stderr() { return stderr; }
    /** Code 11: the plugin asks to be called again later. */
    public boolean retryable() { return code == TRY_AGAIN_LATER; }
}
