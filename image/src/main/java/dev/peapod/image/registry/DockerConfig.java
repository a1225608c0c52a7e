package dev.peapod.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peapod.image.ImagePuller.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Credentials from a Docker config file ({@code ~/.docker/config.json}, containers-auth.json(5))
 * or a {@code kubernetes.io/dockerconfigjson} Secret's {@code .dockerconfigjson}: the
 * {@code auths} map of registry to {@code auth} (base64 of {@code user:password}) or
 * {@code username}/{@code password}. Keys may be a bare host, a host with a path, or a URL
 * ({@code https://index.docker.io/v1/}); credential helpers are not run.
 */
public final class DockerConfig {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DockerConfig() {}

    /** Parses a config document; throws {@link IllegalArgumentException} saying what is wrong. */
    public static List<Credentials> parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        List<Credentials> out = new ArrayList<>();
        var auths = root.path("auths").properties();
        for (var e : auths) {
            JsonNode a = e.getValue();
            String user = a.path("username").asText("");
            String pass = a.path("password").asText("");
            if (a.path("auth").isTextual() && !a.path("auth").asText().isEmpty()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(a.path("auth").asText().strip()),
                            StandardCharsets.UTF_8);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("auths[\"" + e.getKey() + "\"].auth is not base64");
                }
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("auths[\"" + e.getKey() + "\"].auth is not user:password");
                }
                user = decoded.substring(0, colon);
                pass = decoded.substring(colon + 1);
            }
            if (!user.isEmpty()) {
                out.add(new Credentials(registryOf(e.getKey()), user, pass));
            }
        }
        return out;
    }

    /** Reads a config file; a missing file has no credentials. */
    public static List<Credentials> read(Path file) {
        try {
            return parse(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    /**
     * The registry host a key names, as the kubelet's credential provider and Docker match them:
     * scheme and path dropped, Docker Hub's legacy names mapped to {@code docker.io}.
     */
    static String registryOf(String key) {
        String k = key.strip();
        int scheme = k.indexOf("://");
        if (scheme >= 0) {
            k = k.substring(scheme + 3);
        }
        int slash = k.indexOf('/');
        if (slash >= 0) {
            k = k.substring(0, slash);
        }
        return switch (k) {
            case "index.docker.io", "registry-1.docker.io" -> "docker.io";
            default -> k;
        };
    }
}
