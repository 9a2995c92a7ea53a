package io.rotquant.runtime.model;

import io.rotquant.runtime.artifact.ArtifactFormat;
import io.rotquant.runtime.safetensors.SafetensorsException;
import io.rotquant.runtime.safetensors.SafetensorsFile;
import io.rotquant.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A session saved to a file ({@link Session#save}, {@link RotQuantModel#loadSession}): safetensors
 * whose metadata holds {@code format} {@value #FORMAT}, {@code version} {@value #VERSION}, the
 * artifact's data SHA-256 (a cache is only valid on the weights that computed it) and the
 * {@code position}, and each of the session's notes under {@code note.} and its key; and for each layer L and cache C ∈ {keys, values} the rows of positions
 * [0, position) in (position, KV head) order: {@code layers.L.C.codes} U8 [rows, row bytes],
 * {@code .scales} F32 [rows] and {@code .zeros} I32 [rows] for a quantized cache,
 * {@code layers.L.C.values} F32 [rows, head_dim] at 16 bits. The order is the file's own, so a
 * session saved with one kernel set loads with the other.
 */
final class SessionFile {
    static final String FORMAT = "rotquant-session";
    static final String VERSION = "1";
    private static final String ARTIFACT = "artifact_data_sha256";
    private static final String POSITION = "position";
    private static final String NOTE = "note.";
    private static final String[] CACHES = {"keys", "values"};
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SessionFile() {
    }

    static void write(Path file, RotQuantModel model, Session session) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("version", VERSION);
        metadata.put(ARTIFACT, artifactDigest(model));
        metadata.put(POSITION, Integer.toString(session.position()));
        session.notes().forEach((key, value) -> metadata.put(NOTE + key, value));
        int rows = session.position() * model.spec().numKvHeads();
        int width = model.spec().headDim();
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        for (int l = 0; l < model.spec().numLayers(); l++) {
            for (String cache : CACHES) {
                KvRows kv = cache(session, l, cache);
                String name = "layers." + l + "." + cache;
                if (kv.quantized()) {
                    byte[] codes = new byte[rows * kv.rowBytes()];
                    float[] scales = new float[rows];
                    int[] zeros = new int[rows];
                    kv.exportRows(session.position(), codes, scales, zeros, null);
                    tensors.add(tensor(name + ".codes", "U8", new long[] {rows, kv.rowBytes()}, ByteBuffer.wrap(codes)));
                    tensors.add(tensor(name + ".scales", "F32", new long[] {rows}, floats(scales)));
                    tensors.add(tensor(name + ".zeros", "I32", new long[] {rows}, ints(zeros)));
                } else {
                    float[] values = new float[rows * width];
                    kv.exportRows(session.position(), null, null, null, values);
                    tensors.add(tensor(name + ".values", "F32", new long[] {rows, width}, floats(values)));
                }
            }
        }
        SafetensorsWriter.write(file, metadata, tensors, 8);
    }

    static Session read(Path file, RotQuantModel model) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw refused(file, "file not found");
        }
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            Map<String, String> metadata = in.metadata();
            if (!FORMAT.equals(metadata.get("format"))) {
                throw refused(file, "not a saved session (its format is '" + metadata.get("format") + "')");
            }
            if (!VERSION.equals(metadata.get("version"))) {
                throw refused(file, "a session file of version " + metadata.get("version") + "; this runtime reads version "
                        + VERSION);
            }
            String saved = String.valueOf(metadata.get(ARTIFACT));
            String here = artifactDigest(model);
            if (!saved.equals(here)) {
                throw refused(file, "saved on another artifact (data sha256 " + abbreviated(saved) + ", this model's "
                        + abbreviated(here) + ")");
            }
            int position = position(file, metadata.get(POSITION), model.spec().maxPositions());
            int rows = position * model.spec().numKvHeads();
            int width = model.spec().headDim();
            Session session = model.newSession();
            for (int l = 0; l < model.spec().numLayers(); l++) {
                for (String cache : CACHES) {
                    KvRows kv = cache(session, l, cache);
                    String name = "layers." + l + "." + cache;
                    if (kv.quantized()) {
                        byte[] codes = read(file, in, name + ".codes", "U8", rows, kv.rowBytes()).toArray(ValueLayout.JAVA_BYTE);
                        float[] scales = read(file, in, name + ".scales", "F32", rows).toArray(SafetensorsFile.F32);
                        int[] zeros = read(file, in, name + ".zeros", "I32", rows).toArray(INT);
                        kv.importRows(position, codes, scales, zeros, null);
                    } else {
                        float[] values = read(file, in, name + ".values", "F32", rows, width).toArray(SafetensorsFile.F32);
                        kv.importRows(position, null, null, null, values);
                    }
                }
            }
            session.restored(position);
            metadata.forEach((key, value) -> {
                if (key.startsWith(NOTE)) {
                    session.notes().put(key.substring(NOTE.length()), value);
                }
            });
            return session;
        } catch (SafetensorsException e) {
            throw refused(file, e.getMessage());
        }
    }

    private static KvRows cache(Session session, int layer, String cache) {
        return cache.equals("keys") ? session.keys(layer) : session.values(layer);
    }

    private static String artifactDigest(RotQuantModel model) {
        return model.metadata(ArtifactFormat.KEY_CHECKSUM).orElse("none");
    }

    private static String abbreviated(String digest) {
        return digest.length() > 12 ? digest.substring(0, 12) + "…" : digest;
    }

    private static int position(Path file, String value, int context) {
        try {
            int position = Integer.parseInt(String.valueOf(value));
            if (position >= 0 && position <= context) {
                return position;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw refused(file, "position " + value + " is not in [0, " + context + "]");
    }

    private static MemorySegment read(Path file, SafetensorsFile in, String name, String dtype, long... shape) {
        SafetensorsFile.Entry entry = in.entries().get(name);
        if (entry == null) {
            throw refused(file, "tensor '" + name + "' is missing");
        }
        if (!entry.dtype().equals(dtype) || !Arrays.equals(entry.shape(), shape)) {
            throw refused(file, "tensor '" + name + "' is " + entry.dtype() + " " + Arrays.toString(entry.shape())
                    + ", this model's cache needs " + dtype + " " + Arrays.toString(shape));
        }
        return in.segment(entry);
    }

    private static SafetensorsWriter.Tensor tensor(String name, String dtype, long[] shape, ByteBuffer bytes) {
        return new SafetensorsWriter.Tensor(name, dtype, shape, bytes.remaining(), out -> SafetensorsWriter.writeFully(out, bytes));
    }

    private static ByteBuffer floats(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b;
    }

    private static ByteBuffer ints(int[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return b;
    }

    private static IllegalArgumentException refused(Path file, String why) {
        return new IllegalArgumentException(file + ": " + why);
    }
}
