package dev.peapod.image;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A normalised image reference, {@code domain/path[:tag][@digest]}, parsed exactly as Docker and
 * containerd do (github.com/distribution/reference: {@code ParseNormalizedNamed} followed by
 * {@code TagNameOnly}): {@code busybox} becomes {@code docker.io/library/busybox:latest},
 * {@code peapod/busybox} becomes {@code docker.io/peapod/busybox:latest}, a first element with a
 * {@code .} or {@code :}, {@code localhost}, or an upper-case letter is a registry host.
 *
 * <p>The tag is null only when a digest is present and no tag was given; a reference may carry
 * both (Docker keeps both, containerd's {@code ParseDockerRef} then ignores the tag; so does
 * {@link LocalImageStore#resolve}).
 *
 * @param domain registry host, with optional port ({@code docker.io}, {@code localhost:5000})
 * @param path   repository path ({@code library/busybox})
 * @param tag    tag, or null
 * @param digest {@code algorithm:hex} digest, or null
 */
public record ImageReference(String domain, String path, String tag, String digest) {
    static final String DEFAULT_DOMAIN = "docker.io";
    private static final String LEGACY_DEFAULT_DOMAIN = "index.docker.io";
    private static final String OFFICIAL_PREFIX = "library/";
    private static final String DEFAULT_TAG = "latest";
    /** distribution/reference RepositoryNameTotalLengthMax. */
    private static final int PATH_MAX = 255;
    /** Bounds the regex work on hostile input; a valid reference is far shorter. */
    private static final int INPUT_MAX = 1024;

    // The grammar of distribution/reference regexp.go, term for term.
    private static final String ALPHANUMERIC = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final String PATH_COMPONENT = ALPHANUMERIC + "(?:" + SEPARATOR + ALPHANUMERIC + ")*";
    private static final String REMOTE_NAME = PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN_NAME = DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*";
    private static final String IPV6 = "\\[(?:[a-fA-F0-9:]+)\\]";
    private static final String DOMAIN_AND_PORT = "(?:" + DOMAIN_NAME + "|" + IPV6 + ")(?::[0-9]+)?";
    private static final String NAME = "(?:" + DOMAIN_AND_PORT + "/)?" + REMOTE_NAME;
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

    private static final Pattern REFERENCE =
            Pattern.compile("(" + NAME + ")(?::(" + TAG + "))?(?:@(" + DIGEST + "))?");
    private static final Pattern ANCHORED_NAME =
            Pattern.compile("(?:(" + DOMAIN_AND_PORT + ")/)?(" + REMOTE_NAME + ")");
    private static final Pattern DOMAIN_PATTERN = Pattern.compile(DOMAIN_AND_PORT);
    private static final Pattern REMOTE_PATTERN = Pattern.compile(REMOTE_NAME);
    private static final Pattern TAG_PATTERN = Pattern.compile(TAG);
    private static final Pattern IDENTIFIER = Pattern.compile("[a-f0-9]{64}");

    public ImageReference {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(path, "path");
        if (!DOMAIN_PATTERN.matcher(domain).matches() || !REMOTE_PATTERN.matcher(path).matches()) {
            throw new ImageException("failed to create image reference: invalid name \"" + domain + "/" + path + "\"");
        }
        if (tag != null && !TAG_PATTERN.matcher(tag).matches()) {
            throw new ImageException("failed to create image reference: invalid tag format \"" + tag + "\"");
        }
        if (digest != null) {
            String problem = Digests.validate(digest);
            if (problem != null) {
                throw new ImageException("failed to create image reference: " + problem);
            }
        }
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
    }

    /**
     * Parses and normalises a reference as {@code docker pull} would.
     *
     * @throws ImageException naming the reference and the rule it breaks
     */
    public static ImageReference parse(String reference) {
        Objects.requireNonNull(reference, "reference");
        try {
            return parseNormalized(reference);
        } catch (IllegalArgumentException e) {
            throw new ImageException("failed to parse image reference \"" + reference + "\": " + e.getMessage());
        }
    }

    private static ImageReference parseNormalized(String s) {
        if (s.length() > INPUT_MAX) {
            throw new IllegalArgumentException("invalid reference format: longer than " + INPUT_MAX + " characters");
        }
        if (IDENTIFIER.matcher(s).matches()) {
            throw new IllegalArgumentException("invalid repository name (" + s
                    + "), cannot specify 64-byte hexadecimal strings");
        }
        String[] split = splitDockerDomain(s);
        String remainder = split[1];
        int tagSep = remainder.indexOf(':');
        String remote = tagSep >= 0 ? remainder.substring(0, tagSep) : remainder;
        if (!remote.toLowerCase(Locale.ROOT).equals(remote)) {
            throw new IllegalArgumentException("invalid reference format: repository name (" + remote
                    + ") must be lowercase");
        }
        return parseCanonical(split[0] + "/" + remainder);
    }

    /** distribution/reference {@code Parse} on the already domain-qualified string. */
    private static ImageReference parseCanonical(String s) {
        Matcher m = REFERENCE.matcher(s);
        if (!m.matches()) {
            String lower = s.toLowerCase(Locale.ROOT);
            if (!lower.equals(s) && REFERENCE.matcher(lower).matches()) {
                throw new IllegalArgumentException("repository name must be lowercase");
            }
            throw new IllegalArgumentException("invalid reference format");
        }
        Matcher name = ANCHORED_NAME.matcher(m.group(1));
        if (!name.matches() || name.group(1) == null) {
            throw new IllegalArgumentException("invalid reference format");
        }
        if (name.group(2).length() > PATH_MAX) {
            throw new IllegalArgumentException("repository name must not be more than " + PATH_MAX + " characters");
        }
        String digest = m.group(3);
        if (digest != null) {
            String problem = Digests.validate(digest);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        return new ImageReference(name.group(1), name.group(2), m.group(2), digest);
    }

    /** distribution/reference {@code splitDockerDomain}: returns {domain, remainder}. */
    private static String[] splitDockerDomain(String name) {
        int slash = name.indexOf('/');
        if (slash < 0) {
            return new String[] {DEFAULT_DOMAIN, OFFICIAL_PREFIX + name};
        }
        String maybeDomain = name.substring(0, slash);
        String rest = name.substring(slash + 1);
        String domain;
        String remote;
        if (maybeDomain.equals("localhost")) {
            domain = maybeDomain;
            remote = rest;
        } else if (maybeDomain.equals(LEGACY_DEFAULT_DOMAIN)) {
            domain = DEFAULT_DOMAIN;
            remote = rest;
        } else if (maybeDomain.contains(".") || maybeDomain.contains(":")
                || !maybeDomain.toLowerCase(Locale.ROOT).equals(maybeDomain)) {
            domain = maybeDomain;
            remote = rest;
        } else {
            domain = DEFAULT_DOMAIN;
            remote = name;
        }
        if (domain.equals(DEFAULT_DOMAIN) && remote.indexOf('/') < 0) {
            remote = OFFICIAL_PREFIX + remote;
        }
        return new String[] {domain, remote};
    }

    /** The repository name without tag or digest: {@code docker.io/library/busybox}. */
    public String name() {
        return domain + "/" + path;
    }

    /** This reference without its digest (null when it has no tag). */
    public ImageReference withoutDigest() {
        return tag == null ? null : new ImageReference(domain, path, tag, null);
    }

    /** The short form Docker shows: {@code busybox:latest}, {@code peapod/busybox:latest}, {@code localhost:5000/x:1}. */
    public String familiar() {
        String name;
        if (domain.equals(DEFAULT_DOMAIN)) {
            name = path;
            if (path.startsWith(OFFICIAL_PREFIX) && path.indexOf('/', OFFICIAL_PREFIX.length()) < 0) {
                name = path.substring(OFFICIAL_PREFIX.length());
            }
        } else {
            name = name();
        }
        return name + suffix();
    }

    private String suffix() {
        return (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    /** The full normalised form: {@code docker.io/library/busybox:latest}. */
    @Override
    public String toString() {
        return name() + suffix();
    }
}
