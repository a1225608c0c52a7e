package dev.peapod.image;

/**
 * Fetched content is not what its descriptor promised: another digest, size or diff_id, or more
 * bytes than announced. The message names the content and both values.
 */
public final class ContentMismatchException extends ImageException {
    public ContentMismatchException(String message) {
        super(message);
    }
}
