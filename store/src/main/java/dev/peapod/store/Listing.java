package dev.peapod.store;

import java.util.List;

/** A consistent list: the items as of {@code revision}, the revision a watch continues from. */
public record Listing(List<Stored> items, long revision) {}
