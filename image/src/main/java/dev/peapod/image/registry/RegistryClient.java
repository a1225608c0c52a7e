package dev.peapod.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peapod.image.ImagePuller.Credentials;
import dev.peapod.image.registry.RegistryException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * GETs of one repository on one registry endpoint (distribution spec "Pulling"), with the
 * authentication the registry asks for: on a 401 its {@code WWW-Authenticate} challenge decides
 * between Basic (the credentials as they are) and Bearer (a token from the challenge's
 * {@code realm} for {@code service} and {@code scope=repository:<name>:pull}, fetched with the
 * credentials or anonymously; docs/spec/auth/token.md). The header that worked is reused for the
 * pull's later requests. Redirects (blob storage behind a CDN) are followed by hand, at most
 * {@value #MAX_REDIRECTS}, and credentials go only to the registry's own host.
 *
 * <p>Thread safe: a pull's layer threads share one client.
 */
final class RegistryClient {
    /** As Go's net/http client (and so containerd and the docker CLI): 10 redirects, then an error. */
    static final int MAX_REDIRECTS = 10;
    private static final int MAX_ERROR_BODY = 64 << 10;
    private static final int MAX_TOKEN_BODY = 1 << 20;
    private static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where a repository is pulled from.
     *
     * @param base       {@code https://host:port} (or {@code http://} for an insecure registry)
     * @param repository the repository's path on that endpoint (a mirror may prefix it)
     * @param host       the registry host credentials are looked up by
     */
    record Endpoint(URI base, String repository, String host) {}

    private final HttpClient http;
    private final Endpoint endpoint;
    private final List<Credentials> credentials;
    private volatile String authorization;

    RegistryClient(HttpClient http, Endpoint endpoint, List<Credentials> credentials) {
        this.http = http;
        this.endpoint = endpoint;
        this.credentials = credentials.stream().filter(c -> c.registry().equals(endpoint.host())).toList();
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /**
     * GETs {@code /v2/<repository>/<path>}; returns the 200 response, whose body the caller must
     * close. Any other outcome throws a {@link RegistryException} that says what failed.
     *
     * @param what how errors name the object ({@code manifest "busybox:1.36"})
     */
    HttpResponse<InputStream> get(String path, String accept, String what) {
        URI uri = endpoint.base().resolve("/v2/" + endpoint.repository() + "/" + path);
        HttpResponse<InputStream> r = send(uri, accept, authorization, what);
        if (r.statusCode() == 401) {
            Challenge challenge = Challenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(null));
            close(r);
            r = authenticate(uri, accept, challenge, what);
        }
        int status = r.statusCode();
        if (status == 200) {
            return r;
        }
        String detail = errorDetail(r);
        throw switch (status) {
            case 401, 403 -> new RegistryException(Kind.UNAUTHORIZED, "failed to fetch " + what + " from "
                    + endpoint.host() + ": unauthorized: " + (status == 403 ? "access denied" : "authentication required")
                    + detail);
            case 404 -> new RegistryException(Kind.NOT_FOUND, "failed to fetch " + what + " from " + endpoint.host()
                    + ": not found" + detail);
            default -> new RegistryException(Kind.PROTOCOL, "failed to fetch " + what + " from " + endpoint.host()
                    + ": unexpected status " + status + detail);
        };
    }

    /** Answers a challenge with each matching credential in turn (anonymous when there is none). */
    private HttpResponse<InputStream> authenticate(URI uri, String accept, Challenge challenge, String what) {
        if (challenge == null) {
            throw new RegistryException(Kind.UNAUTHORIZED, "failed to fetch " + what + " from " + endpoint.host()
                    + ": unauthorized: 401 without a WWW-Authenticate challenge");
        }
        List<Credentials> candidates = credentials.isEmpty() ? java.util.Collections.singletonList(null) : credentials;
        HttpResponse<InputStream> last = null;
        for (Credentials c : candidates) {
            String header = switch (challenge.scheme()) {
                case "basic" -> c == null ? null : basic(c);
                case "bearer" -> "Bearer " + token(challenge, c, what);
                default -> throw new RegistryException(Kind.UNAUTHORIZED, "failed to fetch " + what + " from "
                        + endpoint.host() + ": unauthorized: unsupported authentication scheme \"" + challenge.scheme() + "\"");
            };
            if (header == null) {
                throw new RegistryException(Kind.UNAUTHORIZED, "failed to fetch " + what + " from " + endpoint.host()
                        + ": unauthorized: the registry asks for a user name and password and none is configured for "
                        + endpoint.host());
            }
            if (last != null) {
                close(last);
            }
            last = send(uri, accept, header, what);
            if (last.statusCode() != 401 && last.statusCode() != 403) {
                authorization = header;
                return last;
            }
        }
        return last;
    }

    private String token(Challenge challenge, Credentials c, String what) {
        String realm = challenge.param("realm");
        if (realm == null || realm.isEmpty()) {
            throw new RegistryException(Kind.UNAUTHORIZED, "failed to fetch " + what + ": bearer challenge without a realm");
        }
        StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
        if (challenge.param("service") != null) {
            q.append("service=").append(enc(challenge.param("service"))).append('&');
        }
        String scope = challenge.param("scope") != null ? challenge.param("scope")
                : "repository:" + endpoint.repository() + ":pull";
        q.append("scope=").append(enc(scope));
        URI tokenUri;
        try {
            tokenUri = URI.create(q.toString());
        } catch (IllegalArgumentException e) {
            throw new RegistryException(Kind.UNAUTHORIZED, "failed to fetch " + what + ": invalid token realm \"" + realm + "\"");
        }
        HttpResponse<InputStream> r = send(tokenUri, "application/json", c == null ? null : basic(c), "token for " + what);
        try (InputStream in = r.body()) {
            byte[] body = in.readNBytes(MAX_TOKEN_BODY);
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                throw new RegistryException(Kind.UNAUTHORIZED, "failed to fetch " + what + " from " + endpoint.host()
                        + ": unauthorized: the token server " + tokenUri.getHost() + " refused "
                        + (c == null ? "anonymous access" : "the credentials of " + c.username()));
            }
            if (r.statusCode() != 200) {
                throw new RegistryException(Kind.UNAUTHORIZED, "failed to fetch " + what + ": token server "
                        + tokenUri.getHost() + " answered " + r.statusCode());
            }
            JsonNode json = JSON.readTree(body);
            String token = json.path("token").asText(json.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new RegistryException(Kind.UNAUTHORIZED, "failed to fetch " + what + ": token server "
                        + tokenUri.getHost() + " sent no token");
            }
            return token;
        } catch (IOException e) {
            throw new RegistryException(Kind.UNAUTHORIZED, "failed to fetch " + what + ": reading the token: " + e.getMessage(), e);
        }
    }

    /** One GET, following redirects by hand; the Authorization header only to the first host. */
    private HttpResponse<InputStream> send(URI uri, String accept, String auth, String what) {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(current).GET().timeout(HEADERS_TIMEOUT)
                    .header("User-Agent", "peapod");
            if (accept != null) {
                b.header("Accept", accept);
            }
            if (auth != null && sameOrigin(current, uri)) {
                b.header("Authorization", auth);
            }
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (SSLException e) {
                throw new RegistryException(Kind.TLS, "failed to fetch " + what + " from " + current.getAuthority()
                        + ": TLS: " + e.getMessage(), e);
            } catch (HttpTimeoutException e) {
                throw new RegistryException(Kind.NETWORK, "failed to fetch " + what + " from " + current.getAuthority()
                        + ": network: no answer in " + HEADERS_TIMEOUT.toSeconds() + "s", e);
            } catch (IOException e) {
                Throwable cause = e.getCause() instanceof SSLException ssl ? ssl : e;
                if (cause instanceof SSLException) {
                    throw new RegistryException(Kind.TLS, "failed to fetch " + what + " from " + current.getAuthority()
                            + ": TLS: " + cause.getMessage(), e);
                }
                String msg = e instanceof ConnectException ? "connection refused" : String.valueOf(e.getMessage());
                throw new RegistryException(Kind.NETWORK, "failed to fetch " + what + " from " + current.getAuthority()
                        + ": network: " + msg, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException(Kind.NETWORK, "failed to fetch " + what + ": interrupted", e);
            }
            int s = r.statusCode();
            if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) {
                return r;
            }
            String location = r.headers().firstValue("Location").orElse(null);
            close(r);
            if (location == null) {
                throw new RegistryException(Kind.PROTOCOL, "failed to fetch " + what + ": redirect without a Location");
            }
            current = current.resolve(location);
        }
        throw new RegistryException(Kind.REFUSED, "failed to fetch " + what + " from " + uri.getAuthority()
                + ": stopped after " + MAX_REDIRECTS + " redirects");
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getAuthority().equalsIgnoreCase(b.getAuthority());
    }

    /** The registry's own error (distribution spec "Error Codes"): {@code : MANIFEST_UNKNOWN: manifest unknown}. */
    private static String errorDetail(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            byte[] body = in.readNBytes(MAX_ERROR_BODY);
            JsonNode err = JSON.readTree(body).path("errors").path(0);
            if (err.isObject()) {
                String code = err.path("code").asText("");
                String message = err.path("message").asText("");
                return ": " + (code.isEmpty() ? "" : code + ": ") + message.toLowerCase(Locale.ROOT);
            }
        } catch (IOException | RuntimeException e) {
            // no JSON error body: the status says enough
        }
        return "";
    }

    static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException e) {
            // closing an unread body only drops the connection
        }
    }

    private static String basic(Credentials c) {
        return "Basic " + Base64.getEncoder().encodeToString((c.username() + ":" + c.password())
                .getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
