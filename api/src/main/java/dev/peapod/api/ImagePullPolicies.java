package dev.peapod.api;

import java.util.regex.Pattern;

/**
 * The default image pull policy, as {@code SetDefaults_Container} derives it from
 * {@code parsers.ParseImageName}: {@code Always} when the tag is {@code latest} (an image with neither
 * tag nor digest counts as {@code :latest}), {@code IfNotPresent} otherwise — including for references
 * that do not parse (the defaulter ignores the error and validation reports the image).
 */
final class ImagePullPolicies {
    static final String ALWAYS = "Always";
    static final String IF_NOT_PRESENT = "IfNotPresent";

    // distribution/reference grammar: [domain[:port]/]path[:tag][@digest]; path components are lowercase.
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN = "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*"
            + "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?";
    private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final Pattern REFERENCE = Pattern.compile("(?:" + DOMAIN + "/)?" + PATH_COMPONENT
            + "(?:/" + PATH_COMPONENT + ")*(?::[\\w][\\w.-]{0,127})?"
            + "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");

    private ImagePullPolicies() { }

    static String defaultFor(String image) {
        return "latest".equals(tagOf(image)) ? ALWAYS : IF_NOT_PRESENT;
    }

    /** The tag {@code ParseImageName} reports: explicit tag, else "latest" without digest, else "". */
    static String tagOf(String image) {
        if (image == null || !REFERENCE.matcher(image).matches()) {
            return "";
        }
        String name = image;
        boolean digested = false;
        int at = image.indexOf('@');
        if (at >= 0) {
            name = image.substring(0, at);
            digested = true;
        }
        // A colon before the last slash belongs to the registry's port, not to a tag.
        int colon = name.lastIndexOf(':');
        String tag = colon > name.lastIndexOf('/') ? name.substring(colon + 1) : "";
        return tag.isEmpty() && !digested ? "latest" : tag;
    }
}
