package io.rotquant.runtime.artifact;

import io.rotquant.runtime.json.JsonException;
import io.rotquant.runtime.json.JsonObject;
import io.rotquant.runtime.safetensors.SafetensorsException;
import io.rotquant.runtime.safetensors.SafetensorsFile;
import io.rotquant.runtime.safetensors.SafetensorsWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * An opened, fully validated artifact: format and version, data checksum, the model, quantization
 * and rotation metadata, and every tensor the runtime will read (dtype and shape against the
 * model). Any problem is an {@link ArtifactException} naming the file; nothing else escapes.
 */
public final class Artifact implements AutoCloseable {
    private final SafetensorsFile file;
    private final ModelSpec model;
    private final QuantSpec quant;
    private final RotationPlan plan;

    private Artifact(SafetensorsFile file, ModelSpec model, QuantSpec quant, RotationPlan plan) {
        this.file = file;
        this.model = model;
        this.quant = quant;
        this.plan = plan;
    }

    public static Artifact open(Path path) {
        return open(path, Integrity.CHECKED);
    }

    /** Opens and validates {@code path}, hashing its data section when {@code integrity} says so. */
    public static Artifact open(Path path, Integrity integrity) {
        SafetensorsFile file;
        try {
            file = SafetensorsFile.open(path);
        } catch (SafetensorsException e) {
            throw new ArtifactException(path + ": " + e.getMessage());
        }
        try {
            Artifact artifact = validate(path, file);
            String stored = file.metadata().get(ArtifactFormat.KEY_CHECKSUM);
            String actual = integrity == Integrity.CHECKED ? file.dataSha256() : stored;
            if (!actual.equals(stored)) {
                throw new ArtifactException(path + ": data checksum mismatch (stored " + stored + ", computed " + actual
                        + "): the file is corrupt or was modified");
            }
            return artifact;
        } catch (ArtifactException e) {
            file.close();
            // The spec records validate their fields without knowing the file: name it here.
            throw e.getMessage().startsWith(path.toString()) ? e : new ArtifactException(path + ": " + e.getMessage(), e);
        } catch (SafetensorsException | JsonException e) {
            file.close();
            throw new ArtifactException(path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            file.close();
            throw new ArtifactException(path + ": invalid artifact (" + e + ")", e);
        }
    }

    private static Artifact validate(Path path, SafetensorsFile file) {
        Map<String, String> meta = file.metadata();
        if (!ArtifactFormat.FORMAT.equals(meta.get(ArtifactFormat.KEY_FORMAT))) {
            throw new ArtifactException(path + ": not a rotquant artifact (metadata '" + ArtifactFormat.KEY_FORMAT
                    + "' is " + meta.get(ArtifactFormat.KEY_FORMAT) + ")");
        }
        if (!String.valueOf(ArtifactFormat.VERSION).equals(meta.get(ArtifactFormat.KEY_VERSION))) {
            throw new ArtifactException(path + ": format version " + meta.get(ArtifactFormat.KEY_VERSION)
                    + " is not supported (this runtime reads version " + ArtifactFormat.VERSION + ")");
        }
        ModelSpec model = ModelSpec.fromJson(json(path, meta, ArtifactFormat.KEY_MODEL));
        QuantSpec quant = QuantSpec.fromJson(json(path, meta, ArtifactFormat.KEY_QUANT));
        RotationPlan plan = RotationPlan.fromJson(json(path, meta, ArtifactFormat.KEY_PLAN));
        Artifact a = new Artifact(file, model, quant, plan);
        a.checkLayout(path);
        return a;
    }

    private static JsonObject json(Path path, Map<String, String> meta, String key) {
        String text = meta.get(key);
        if (text == null) {
            throw new ArtifactException(path + ": metadata '" + key + "' is missing");
        }
        return JsonObject.parse(path + " metadata '" + key + "'", text);
    }

    /** Every tensor the runtime reads is present with its dtype and shape, aligned; nothing unknown is. */
    private void checkLayout(Path path) {
        int d = model.hiddenSize();
        int inter = model.intermediateSize();
        java.util.Set<String> expected = new java.util.HashSet<>();
        tokenTable(path, expected, ArtifactFormat.EMBEDDING);
        tokenTable(path, expected, ArtifactFormat.LM_HEAD);
        optional(path, expected, ArtifactFormat.FINAL_NORM, "F32", d);
        expect(path, expected, ArtifactFormat.ROPE_INVERSE_FREQUENCIES, "F32", model.headDim() / 2);
        SafetensorsFile.Entry tokenizer = expect(path, expected, ArtifactFormat.TOKENIZER, "U8", -1);
        if (tokenizer.byteLength() > Integer.MAX_VALUE - 16) {
            throw new ArtifactException(path + ": tokenizer is too large");
        }
        int[][] shapes = {
            {model.qDim(), d}, {model.kvDim(), d}, {model.kvDim(), d}, {d, model.qDim()}, {inter, d}, {inter, d}, {d, inter}};
        for (int l = 0; l < model.numLayers(); l++) {
            optional(path, expected, ArtifactFormat.norm(l, "input"), "F32", d);
            optional(path, expected, ArtifactFormat.norm(l, "post"), "F32", d);
            for (int i = 0; i < 3; i++) {  // q, k, v
                optional(path, expected, ArtifactFormat.bias(l, ArtifactFormat.LINEARS[i]), "F32", shapes[i][0]);
            }
            for (int i = 0; i < ArtifactFormat.LINEARS.length; i++) {
                int out = shapes[i][0];
                int in = shapes[i][1];
                String linear = ArtifactFormat.LINEARS[i];
                int groups = quant.weightGroup() == 0 ? 1 : in / quant.weightGroup();
                if (quant.weightGroup() != 0 && in % quant.weightGroup() != 0) {
                    throw new ArtifactException(path + ": weight group " + quant.weightGroup() + " does not divide " + in);
                }
                if (quant.packedWeights()) {
                    if (in % 2 != 0) {
                        throw new ArtifactException(path + ": packed 4-bit weights need an even input size, got " + in);
                    }
                    expect(path, expected, ArtifactFormat.codes(l, linear), "U8", out, in / 2);
                } else {
                    expect(path, expected, ArtifactFormat.codes(l, linear), "I8", out, in);
                }
                expect(path, expected, ArtifactFormat.scales(l, linear), "F32", out, groups);
            }
        }
        checkRotation(path, expected, "r3", plan.r3(), model.headDim());
        checkRotation(path, expected, "r4", plan.r4(), inter);
        for (SafetensorsFile.Entry e : file.entries().values()) {
            if (e.name().startsWith(SafetensorsWriter.PADDING_PREFIX)) {
                continue;
            }
            if (!expected.contains(e.name())) {
                throw new ArtifactException(path + ": unexpected tensor '" + e.name() + "'");
            }
            if ((file.dataStart() + e.start()) % ArtifactFormat.ALIGNMENT != 0) {
                throw new ArtifactException(path + ": tensor '" + e.name() + "' is not " + ArtifactFormat.ALIGNMENT
                        + "-byte aligned");
            }
        }
    }

    /** A [vocab, d] table: F16, I8 codes with one F32 scale per row, or packed 4-bit codes with a scale per group. */
    private void tokenTable(Path path, java.util.Set<String> expected, String name) {
        SafetensorsFile.Entry entry = file.entries().get(name);
        String dtype = entry == null ? "F16" : entry.dtype();
        int d = model.hiddenSize();
        if (dtype.equals(ArtifactFormat.ROW_CODES_DTYPE)) {
            expect(path, expected, name, dtype, model.vocabSize(), d);
            expect(path, expected, ArtifactFormat.rowScales(name), "F32", model.vocabSize());
        } else if (dtype.equals(ArtifactFormat.GROUP_CODES_DTYPE)) {
            expect(path, expected, name, dtype, model.vocabSize(), d / 2);
            long groups = expect(path, expected, ArtifactFormat.rowScales(name), "F32", model.vocabSize(), -1).shape()[1];
            if (groups < 1 || d % groups != 0 || (d / groups) % 2 != 0) {
                throw new ArtifactException(path + ": tensor '" + ArtifactFormat.rowScales(name) + "' has " + groups
                        + " groups per row, which do not split hidden_size " + d + " into groups of an even size");
            }
        } else {
            expect(path, expected, name, "F16", model.vocabSize(), d);
        }
    }

    /** The dtype token table {@code name} (the embedding or the head) is stored in (see {@link ArtifactFormat#EMBEDDING}). */
    public String tableType(String name) {
        return file.entries().get(name).dtype();
    }

    /** The shape of tensor {@code name}. */
    public long[] shape(String name) {
        return file.entries().get(name).shape().clone();
    }

    private void checkRotation(Path path, java.util.Set<String> expected, String name, RotationPlan.Online online,
            int size) {
        if (online == null) {
            return;
        }
        if (online.size() != size) {
            throw new ArtifactException(path + ": online rotation " + name + " has size " + online.size() + ", the model needs "
                    + size);
        }
        if (name.equals("r3") && online instanceof RotationPlan.Matmul m && m.heads() != model.numKvHeads()) {
            throw new ArtifactException(path + ": online rotation r3 has " + m.heads() + " matrices per layer, the model has "
                    + model.numKvHeads() + " KV heads");
        }
        if (name.equals("r4") && online instanceof RotationPlan.Matmul m && m.heads() != 1) {
            throw new ArtifactException(path + ": online rotation r4 has " + m.heads() + " matrices per layer, expected 1");
        }
        switch (online) {
            case RotationPlan.Wht w -> {
                if (w.factor() > 1) {
                    expect(path, expected, ArtifactFormat.rotation(name), "I8", w.factor(), w.factor());
                }
            }
            case RotationPlan.Matmul m -> {
                for (int l = 0; l < model.numLayers(); l++) {
                    expect(path, expected, ArtifactFormat.layerRotation(l, name), "F32", m.heads(), m.size(), m.size());
                }
            }
            case RotationPlan.Kronecker k -> {
                checkRotation(path, expected, name + ".a", k.a(), k.a().size());
                checkRotation(path, expected, name + ".b", k.b(), k.b().size());
            }
        }
    }

    /** Requires tensor {@code name} with {@code dtype} and {@code shape} (a -1 dimension matches any size). */
    private SafetensorsFile.Entry expect(Path path, java.util.Set<String> expected, String name, String dtype,
            long... shape) {
        SafetensorsFile.Entry e = file.entries().get(name);
        if (e == null) {
            throw new ArtifactException(path + ": tensor '" + name + "' is missing");
        }
        boolean shapeOk = e.shape().length == shape.length;
        for (int i = 0; shapeOk && i < shape.length; i++) {
            shapeOk = shape[i] < 0 || shape[i] == e.shape()[i];
        }
        if (!e.dtype().equals(dtype) || !shapeOk) {
            throw new ArtifactException(path + ": tensor '" + name + "' is " + e.dtype() + " " + Arrays.toString(e.shape())
                    + ", expected " + dtype + " " + Arrays.toString(shape));
        }
        expected.add(name);
        return e;
    }

    private void optional(Path path, java.util.Set<String> expected, String name, String dtype, long... shape) {
        if (file.entries().containsKey(name)) {
            expect(path, expected, name, dtype, shape);
        }
    }

    public Path path() {
        return file.path();
    }

    public ModelSpec model() {
        return model;
    }

    public QuantSpec quant() {
        return quant;
    }

    public RotationPlan plan() {
        return plan;
    }

    public Map<String, String> metadata() {
        return file.metadata();
    }

    public boolean has(String name) {
        return file.entries().containsKey(name);
    }

    /** The bytes of a validated tensor. */
    public MemorySegment tensor(String name) {
        SafetensorsFile.Entry e = file.entries().get(name);
        if (e == null) {
            throw new ArtifactException(path() + ": tensor '" + name + "' is missing");
        }
        return file.segment(e);
    }

    public Map<String, SafetensorsFile.Entry> entries() {
        return file.entries();
    }

    @Override
    public void close() {
        file.close();
    }
}
