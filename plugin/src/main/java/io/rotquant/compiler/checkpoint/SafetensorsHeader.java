package io.rotquant.compiler.checkpoint;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.json.JsonException;
import io.rotquant.runtime.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads and validates the header of one safetensors file: header length within the file, JSON,
 * known dtypes, non-negative shapes, and byte ranges that match the shape and stay inside the data
 * section. Nothing is allocated from a size the file declares before it is checked.
 */
public final class SafetensorsHeader {
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private SafetensorsHeader() {
    }

    public static List<TensorEntry> read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw bad(file, "file is truncated (" + size + " bytes, no header)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw bad(file, "header length " + headerLength + " does not fit in the file (" + size + " bytes)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            String json = new String(headerBytes.array(), StandardCharsets.UTF_8);
            JsonObject header;
            try {
                header = JsonObject.parse(file.toString(), json);
            } catch (JsonException e) {
                throw bad(file, "header is not valid JSON (" + e.getMessage().replace(file + ": ", "") + ")");
            }
            return entries(file, header, 8 + headerLength, size - 8 - headerLength);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": file not found");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static List<TensorEntry> entries(Path file, JsonObject header, long dataStart, long dataLength) {
        List<TensorEntry> out = new ArrayList<>();
        for (Map.Entry<String, Object> member : header.members().entrySet()) {
            String name = member.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            JsonObject t;
            try {
                t = header.element(name, member.getValue());
                String dtypeName = t.string("dtype");
                TensorDType dtype = dtype(file, name, dtypeName);
                List<Object> shapeList = t.array("shape");
                long[] shape = new long[shapeList.size()];
                long numel = 1;
                for (int i = 0; i < shape.length; i++) {
                    if (!(shapeList.get(i) instanceof Long dim) || dim < 0 || dim > (1L << 40)) {
                        throw bad(file, "tensor '" + name + "' has an invalid shape " + shapeList);
                    }
                    shape[i] = dim;
                    numel = Math.multiplyExact(numel, dim);
                }
                List<Object> offsets = t.array("data_offsets");
                if (offsets.size() != 2 || !(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)) {
                    throw bad(file, "tensor '" + name + "' has malformed data_offsets " + offsets);
                }
                if (begin < 0 || end < begin || end > dataLength) {
                    throw bad(file, "tensor '" + name + "' data_offsets [" + begin + ", " + end
                            + "] run past the data section (" + dataLength + " bytes): file truncated or corrupt");
                }
                long expected = Math.multiplyExact(numel, dtype.bytes());
                if (end - begin != expected) {
                    throw bad(file, "tensor '" + name + "' has " + (end - begin) + " bytes but shape "
                            + shapeList + " of " + dtypeName + " needs " + expected);
                }
                out.add(new TensorEntry(name, file, dtype, shape, dataStart + begin, end - begin));
            } catch (JsonException | ArithmeticException e) {
                throw bad(file, "tensor '" + name + "': " + e.getMessage().replace(file + " " + name + ": ", ""));
            }
        }
        return out;
    }

    private static TensorDType dtype(Path file, String name, String dtypeName) {
        try {
            return TensorDType.valueOf(dtypeName);
        } catch (IllegalArgumentException e) {
            throw bad(file, "tensor '" + name + "' has unsupported dtype '" + dtypeName + "' (supported: F32, F16, BF16)");
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            at += n;
        }
    }

    private static InvalidInputException bad(Path file, String what) {
        return new InvalidInputException(file + ": " + what);
    }
}
