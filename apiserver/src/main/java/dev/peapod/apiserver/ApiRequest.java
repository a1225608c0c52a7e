package dev.peapod.apiserver;

import java.util.Map;

/**
 * One HTTP request as the API handler sees it, independent of Jetty so that routes are tested
 * without a socket.
 *
 * @param query         decoded query parameters (the first value of each)
 * @param authorization the Authorization header, or null
 * @param body          the request body ("" when none)
 * @param lists         every value of each query parameter, for the repeated ones ({@code command=} of exec)
 * @param userAgent     the User-Agent header, or null (the default field manager is derived from it)
 */
public record ApiRequest(String method, String path, Map<String, String> query, String accept, String contentType,
                         String authorization, String body, Map<String, java.util.List<String>> lists, String userAgent) {

    public ApiRequest(String method, String path, Map<String, String> query, String accept, String contentType,
                      String authorization, String body, Map<String, java.util.List<String>> lists) {
        this(method, path, query, accept, contentType, authorization, body, lists, null);
    }

    public ApiRequest(String method, String path, Map<String, String> query, String accept, String contentType,
                      String authorization, String body) {
        this(method, path, query, accept, contentType, authorization, body, Map.of());
    }

    /** All values of a repeated parameter, in order (none: empty). */
    java.util.List<String> params(String name) { return lists.getOrDefault(name, java.util.List.of()); }

    String param(String name) { return query.get(name); }

    boolean flag(String name) {
        String v = query.get(name);
        return v != null && (v.equals("true") || v.equals("1"));
    }

    /** kubectl asks for server-side printing with {@code as=Table} in Accept. */
    boolean wantsTable() { return accept != null && accept.contains("as=Table"); }
}
