package io.rotquant.runtime.safetensors;

import io.rotquant.runtime.json.Json;
import io.rotquant.runtime.json.JsonException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped safetensors file whose header has been validated completely before any tensor
 * is touched: header length within the file, UTF-8 JSON, known dtypes, shapes whose byte size
 * matches their offsets, offsets inside the data section and covering it without holes or
 * overlaps. No allocation is sized from the file before its size has been checked.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The largest header accepted (the reference implementation's limit). */
    public static final long MAX_HEADER = 100L << 20;
    private static final long MAX_DIM = 1L << 40;
    private static final Map<String, Integer> DTYPE_BYTES = Map.of("F64", 8, "F32", 4, "F16", 2, "BF16", 2, "I64", 8,
            "I32", 4, "I16", 2, "I8", 1, "U8", 1, "BOOL", 1);

    /** One tensor: dtype, shape, and its byte range relative to the data section. */
    public record Entry(String name, String dtype, long[] shape, long start, long end) {
        public long byteLength() {
            return end - start;
        }

        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /** Bytes per element of a safetensors dtype this reader accepts. */
    public static int dtypeBytes(String dtype) {
        Integer bytes = DTYPE_BYTES.get(dtype);
        if (bytes == null) {
            throw new IllegalArgumentException("unknown dtype " + dtype);
        }
        return bytes;
    }

    private final Path path;
    private final FileChannel channel;
    private final Arena arena;
    private final MemorySegment file;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, Entry> entries;

    private SafetensorsFile(Path path, FileChannel channel, Arena arena, MemorySegment file, long dataStart,
            Map<String, String> metadata, Map<String, Entry> entries) {
        this.path = path;
        this.channel = channel;
        this.arena = arena;
        this.file = file;
        this.dataStart = dataStart;
        this.metadata = metadata;
        this.entries = entries;
    }

    /** Opens and validates {@code path}; IO failures and format errors both come out as {@link SafetensorsException}. */
    public static SafetensorsFile open(Path path) {
        FileChannel channel = null;
        Arena arena = null;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            long size = channel.size();
            if (size < 8) {
                throw new SafetensorsException("file is " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
                throw new SafetensorsException("header length " + headerLength + " does not fit in the file (" + size
                        + " bytes)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            String json;
            try {
                json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBytes.flip()).toString();
            } catch (CharacterCodingException e) {
                throw new SafetensorsException("header is not UTF-8");
            }
            long dataStart = 8 + headerLength;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Entry> entries = parseHeader(json, size - dataStart, metadata);
            arena = Arena.ofShared();
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new SafetensorsFile(path, channel, arena, mapped, dataStart, Collections.unmodifiableMap(metadata),
                    Collections.unmodifiableMap(entries));
        } catch (IOException e) {
            closeQuietly(channel, arena);
            throw new SafetensorsException("cannot read: " + e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(channel, arena);
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Entry> parseHeader(String json, long dataLength, Map<String, String> metadata) {
        Map<String, Object> header;
        try {
            header = Json.parseObject(json.stripTrailing());
        } catch (JsonException e) {
            throw new SafetensorsException("header is not valid JSON (" + e.getMessage() + ")");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) {
                    throw new SafetensorsException("header: __metadata__ is not an object");
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String value)) {
                        throw new SafetensorsException("header: __metadata__ value '" + m.getKey() + "' is not a string");
                    }
                    metadata.put((String) m.getKey(), value);
                }
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> raw)) {
                throw new SafetensorsException("tensor '" + e.getKey() + "': not an object");
            }
            entries.put(e.getKey(), entry(e.getKey(), (Map<String, Object>) raw, dataLength));
        }
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::start).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry t : sorted) {
            if (t.start() != expected) {
                throw new SafetensorsException("tensor '" + t.name() + "' starts at " + t.start() + ", expected "
                        + expected + " (holes and overlaps are not allowed)");
            }
            expected = t.end();
        }
        if (expected != dataLength) {
            throw new SafetensorsException("tensors cover " + expected + " bytes of a " + dataLength + "-byte data section");
        }
        return entries;
    }

    private static Entry entry(String name, Map<String, Object> raw, long dataLength) {
        String where = "tensor '" + name + "': ";
        if (!(raw.get("dtype") instanceof String dtype) || !DTYPE_BYTES.containsKey(dtype)) {
            throw new SafetensorsException(where + "unknown or missing dtype " + raw.get("dtype"));
        }
        if (!(raw.get("shape") instanceof List<?> shapeList) || shapeList.size() > 8) {
            throw new SafetensorsException(where + "shape must be an array of at most 8 dimensions");
        }
        if (!(raw.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2
                || !(offsets.get(0) instanceof Long start) || !(offsets.get(1) instanceof Long end)) {
            throw new SafetensorsException(where + "data_offsets must be two integers");
        }
        long[] shape = new long[shapeList.size()];
        long bytes = DTYPE_BYTES.get(dtype);
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d) || d < 0 || d > MAX_DIM) {
                throw new SafetensorsException(where + "shape entries must be integers in [0, 2^40]");
            }
            shape[i] = d;
            try {
                bytes = Math.multiplyExact(bytes, d);
            } catch (ArithmeticException overflow) {
                throw new SafetensorsException(where + "shape is too large");
            }
        }
        if (start < 0 || end < start || end > dataLength) {
            throw new SafetensorsException(where + "data_offsets [" + start + ", " + end + "] run past the data section ("
                    + dataLength + " bytes): file truncated or corrupt");
        }
        if (end - start != bytes) {
            throw new SafetensorsException(where + "shape and dtype need " + bytes + " bytes, data_offsets give "
                    + (end - start));
        }
        return new Entry(name, dtype, shape, start, end);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new SafetensorsException("file ends early");
            }
        }
    }

    private static void closeQuietly(FileChannel channel, Arena arena) {
        if (arena != null) {
            arena.close();
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Already failing; the first error is the one reported.
            }
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** The bytes of {@code entry}, read-only, valid until {@link #close()}. */
    public MemorySegment segment(Entry entry) {
        return file.asSlice(dataStart + entry.start(), entry.byteLength());
    }

    /** Absolute file offset of the data section. */
    public long dataStart() {
        return dataStart;
    }

    /** SHA-256 (hex) of the data section. */
    public String dataSha256() {
        try {
            return SafetensorsWriter.sha256(channel, dataStart, file.byteSize() - dataStart);
        } catch (IOException e) {
            throw new SafetensorsException("cannot read: " + e.getMessage());
        }
    }

    /** A little-endian float32 read (for callers that walk F32 tensors). */
    public static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** An F16 element (IEEE half-precision bits) as stored: little-endian, unaligned. */
    public static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void close() {
        closeQuietly(channel, arena);
    }
}
