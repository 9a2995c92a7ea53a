package io.rotquant.runtime.artifact;

/**
 * Whether opening an artifact hashes its data section against the stored SHA-256. The structure
 * (format, version, every tensor's dtype, shape and alignment) is validated either way; the hash
 * reads every byte of the file once, which is most of the load time of a large artifact.
 */
public enum Integrity {
    /** Hash the data section and refuse a mismatch: for files that came over a network or from a cache. */
    CHECKED,
    /** Skip the hash: for a file this process, or a verified build step, just wrote or checked. */
    TRUSTED
}
