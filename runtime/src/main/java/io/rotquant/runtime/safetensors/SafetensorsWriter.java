package io.rotquant.runtime.safetensors;

import io.rotquant.runtime.json.JsonWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a safetensors file atomically (a temporary file beside the target, renamed at the end):
 * a failure never leaves a partial file. With an alignment above 8, each tensor starts on a
 * multiple of it, and the gaps are declared as {@code U8} padding tensors named
 * {@value #PADDING_PREFIX}N, because the format forbids unindexed bytes.
 */
public final class SafetensorsWriter {
    public static final String PADDING_PREFIX = "__padding__.";
    private static final String CHECKSUM_PLACEHOLDER = "0".repeat(64);

    /** Writes exactly {@code byteLength} bytes of one tensor. */
    @FunctionalInterface
    public interface Body {
        void write(FileChannel out) throws IOException;
    }

    /** One tensor: dtype as safetensors spells it (F32, BF16, U8, ...), shape, size in bytes, and its bytes. */
    public record Tensor(String name, String dtype, long[] shape, long byteLength, Body body) {
    }

    private SafetensorsWriter() {
    }

    public static void write(Path file, Map<String, String> metadata, List<Tensor> tensors, int alignment)
            throws IOException {
        write(file, metadata, tensors, alignment, null);
    }

    /**
     * As {@link #write(Path, Map, List, int)}, and when {@code checksumKey} is not null, metadata
     * entry {@code checksumKey} is the SHA-256 (lower-case hex) of the data section.
     */
    public static void write(Path file, Map<String, String> metadata, List<Tensor> tensors, int alignment,
            String checksumKey) throws IOException {
        if (alignment < 8 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two >= 8, got " + alignment);
        }
        List<Tensor> laidOut = new ArrayList<>();
        Map<String, Object> header = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        if (checksumKey != null) {
            meta.put(checksumKey, CHECKSUM_PLACEHOLDER);
        }
        if (!meta.isEmpty()) {
            header.put("__metadata__", meta);
        }
        long offset = 0;
        int paddings = 0;
        for (Tensor t : tensors) {
            long gap = (alignment - offset % alignment) % alignment;
            if (gap > 0) {
                Tensor pad = new Tensor(PADDING_PREFIX + paddings++, "U8", new long[] {gap}, gap,
                        out -> writeFully(out, ByteBuffer.allocate((int) gap)));
                offset = declare(header, laidOut, pad, offset);
            }
            offset = declare(header, laidOut, t, offset);
        }
        byte[] json = JsonWriter.write(header).getBytes(StandardCharsets.UTF_8);
        // Pad the header with spaces so the data section starts aligned too.
        int headerLength = (int) ((8 + json.length + alignment - 1) / alignment * alignment - 8);
        ByteBuffer prefix = ByteBuffer.allocate(8 + headerLength).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(headerLength).put(json);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        prefix.flip();

        Path directory = file.toAbsolutePath().getParent();
        Path temporary = Files.createTempFile(directory, "." + file.getFileName(), ".partial");
        try {
            readableByAll(temporary);
            try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(out, prefix);
                for (Tensor t : laidOut) {
                    long before = out.position();
                    t.body().write(out);
                    if (out.position() - before != t.byteLength()) {
                        throw new IllegalStateException(t.name() + ": wrote " + (out.position() - before)
                                + " bytes, declared " + t.byteLength());
                    }
                }
                if (checksumKey != null) {
                    patchChecksum(out, prefix.capacity(), json, checksumKey);
                }
                out.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Hashes the data section back from the file and writes the digest over the placeholder in the header. */
    private static void patchChecksum(FileChannel out, long dataStart, byte[] json, String key) throws IOException {
        byte[] marker = ("\"" + key + "\":\"" + CHECKSUM_PLACEHOLDER + "\"").getBytes(StandardCharsets.UTF_8);
        int at = indexOf(json, marker);
        if (at < 0 || indexOf(java.util.Arrays.copyOfRange(json, at + 1, json.length), marker) >= 0) {
            throw new IllegalStateException("checksum placeholder not found exactly once");
        }
        String digest = sha256(out, dataStart, out.size() - dataStart);
        int digestOffset = at + marker.length - 1 - CHECKSUM_PLACEHOLDER.length();
        writeFully(out.position(8 + digestOffset), ByteBuffer.wrap(digest.getBytes(StandardCharsets.US_ASCII)));
    }

    /** SHA-256 (lower-case hex) of {@code length} bytes of {@code channel} from {@code start}. */
    public static String sha256(FileChannel channel, long start, long length) throws IOException {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        long position = start;
        long end = start + length;
        while (position < end) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
            int n = channel.read(buffer, position);
            if (n < 0) {
                throw new java.io.EOFException("file ends before its data section does");
            }
            position += n;
            buffer.flip();
            sha.update(buffer);
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Temporary files are created owner-only; the finished file gets the usual rw-r--r--. */
    private static void readableByAll(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            // Non-POSIX file systems keep their default permissions.
        }
    }

    private static long declare(Map<String, Object> header, List<Tensor> laidOut, Tensor t, long offset) {
        if (header.containsKey(t.name())) {
            throw new IllegalArgumentException("duplicate tensor name " + t.name());
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("dtype", t.dtype());
        entry.put("shape", t.shape());
        entry.put("data_offsets", new long[] {offset, offset + t.byteLength()});
        header.put(t.name(), entry);
        laidOut.add(t);
        return offset + t.byteLength();
    }

    /** Writes every remaining byte of {@code buffer}. */
    public static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
