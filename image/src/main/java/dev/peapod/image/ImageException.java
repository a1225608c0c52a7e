package dev.peapod.image;

/** Loading, unpacking or resolving an image failed; the message names the archive entry or reference. */
public class ImageException extends RuntimeException {
    public ImageException(String message) { super(message); }
    public ImageException(String message, Throwable cause) { super(message, cause); }
}
