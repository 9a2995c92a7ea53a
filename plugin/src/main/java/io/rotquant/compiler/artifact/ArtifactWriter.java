package io.rotquant.compiler.artifact;

import static io.rotquant.compiler.recipe.RecipeParameter.GPTQ_ACT_ORDER;
import static io.rotquant.compiler.recipe.RecipeParameter.GPTQ_STATIC_GROUPS;
import static io.rotquant.compiler.recipe.RecipeParameter.W_BITS;
import static io.rotquant.compiler.recipe.RecipeParameter.W_GROUP;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.checkpoint.TokenizerConfig;
import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.model.LinearGroup;
import io.rotquant.compiler.model.ModelWeights;
import io.rotquant.compiler.model.OnlineRotation;
import io.rotquant.compiler.model.OnlineRotations;
import io.rotquant.compiler.model.QuantizedLayer;
import io.rotquant.compiler.model.StoredLayer;
import io.rotquant.compiler.quant.QuantizedWeight;
import io.rotquant.compiler.quant.WeightQuantizer;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.rotation.HadamardTables;
import io.rotquant.compiler.rotation.HadamardTransform;
import io.rotquant.compiler.rotation.HeadRotations;
import io.rotquant.compiler.rotation.KroneckerRotations;
import io.rotquant.runtime.artifact.ArtifactFormat;
import io.rotquant.runtime.artifact.ModelSpec;
import io.rotquant.runtime.artifact.QuantSpec;
import io.rotquant.runtime.artifact.RotationPlan;
import io.rotquant.runtime.json.JsonWriter;
import io.rotquant.runtime.safetensors.SafetensorsFile;
import io.rotquant.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Writes a {@link PreparedModel} as a rotquant artifact (see {@link ArtifactFormat}): integer codes
 * and scales of every linear, F16 embedding and head, F32 norms and RoPE frequencies, the online
 * rotation plan, the tokenizer and the metadata. Atomic: a failure leaves no file.
 */
public final class ArtifactWriter {
    /** Columns per scale of a 4-bit token table: a scale per 32 weights, as common 4-bit formats keep. */
    private static final int TABLE_GROUP = 32;

    private ArtifactWriter() {
    }

    /**
     * Refuses a recipe whose result the artifact cannot hold: unquantized weights, or GPTQ groups
     * formed in act-order (their columns are not contiguous). Callers run it before the compile.
     */
    public static void checkRecipe(Recipe recipe) {
        if (!recipe.quantizesWeights()) {
            throw new InvalidInputException(W_BITS.named() + " " + recipe.wBits() + ": an artifact needs quantized weights (2..8 bits)");
        }
        if (recipe.wMethod() == io.rotquant.compiler.recipe.WeightMethod.GPTQ && recipe.wGroup() > 0
                && recipe.gptq().actOrder() && !recipe.gptq().staticGroups()) {
            throw new InvalidInputException(GPTQ_ACT_ORDER.named() + " with " + W_GROUP.named() + " (without " + GPTQ_STATIC_GROUPS.named() + ") gives groups the "
                    + "runtime cannot store; add " + GPTQ_STATIC_GROUPS.named());
        }
    }

    /**
     * Writes {@code prepared} to {@code out}; {@code digests} (input file → SHA-256) go into the
     * metadata; the embedding and the head in F16 ({@code headBits} 16), as 8-bit rows or as 4-bit groups.
     */
    public static void write(PreparedModel prepared, Path out, Map<String, String> digests, int headBits)
            throws IOException {
        Recipe recipe = prepared.recipe();
        checkRecipe(recipe);
        ModelConfig c = prepared.checkpoint().config();
        ModelWeights weights = prepared.weights();
        QuantSpec quant = new QuantSpec(recipe.wBits(), recipe.wGroup(), recipe.aBits(), recipe.aClip(), recipe.kvBits(),
                recipe.kvClip());
        OnlineRotations online = prepared.onlineRotations();
        RotationPlan plan = new RotationPlan(plan(online.r3()), plan(online.r4()));
        ModelSpec spec = new ModelSpec(c.hiddenSize(), c.intermediateSize(), c.numLayers(), c.numHeads(), c.numKvHeads(),
                c.headDim(), c.vocabSize(), c.maxPositions(), c.rmsNormEps(), c.bosTokenId(), c.eosTokenIds());

        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        byte[] tokenizer = Files.readAllBytes(prepared.checkpoint().directory().resolve("tokenizer.json"));
        tensors.add(bytes(ArtifactFormat.TOKENIZER, "U8", tokenizer, tokenizer.length));
        double[] inv = c.rope().inverseFrequencies(c.headDim());
        ByteBuffer rope = ByteBuffer.allocate(4 * inv.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : inv) {
            rope.putFloat((float) v);
        }
        tensors.add(bytes(ArtifactFormat.ROPE_INVERSE_FREQUENCIES, "F32", rope.array(), inv.length));
        addTokenTable(tensors, ArtifactFormat.EMBEDDING, weights.embed(), headBits, recipe.wClip());
        for (int l = 0; l < weights.numLayers(); l++) {
            StoredLayer stored = weights.stored(l);
            if (!(stored instanceof QuantizedLayer layer)) {
                throw new IllegalStateException("layer " + l + " is not quantized");
            }
            addOptionalF32(tensors, ArtifactFormat.norm(l, "input"), layer.inputNorm());
            addOptionalF32(tensors, ArtifactFormat.norm(l, "post"), layer.postNorm());
            if (layer.biases() != null) {
                addOptionalF32(tensors, ArtifactFormat.bias(l, "q_proj"), layer.biases().q());
                addOptionalF32(tensors, ArtifactFormat.bias(l, "k_proj"), layer.biases().k());
                addOptionalF32(tensors, ArtifactFormat.bias(l, "v_proj"), layer.biases().v());
            }
            int index = 0;
            for (LinearGroup group : LinearGroup.values()) {
                for (QuantizedWeight w : layer.linears().get(group)) {
                    addLinear(tensors, l, ArtifactFormat.LINEARS[index++], w, quant);
                }
            }
        }
        addOptionalF32(tensors, ArtifactFormat.FINAL_NORM, weights.finalNorm());
        addTokenTable(tensors, ArtifactFormat.LM_HEAD, weights.lmHead(), headBits, recipe.wClip());
        addRotation(tensors, "r3", plan.r3(), online.r3(), c.numLayers());
        addRotation(tensors, "r4", plan.r4(), online.r4(), c.numLayers());

        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(ArtifactFormat.KEY_FORMAT, ArtifactFormat.FORMAT);
        metadata.put(ArtifactFormat.KEY_VERSION, String.valueOf(ArtifactFormat.VERSION));
        metadata.put(ArtifactFormat.KEY_MODEL, JsonWriter.write(spec.toJson()));
        metadata.put(ArtifactFormat.KEY_QUANT, JsonWriter.write(quant.toJson()));
        metadata.put(ArtifactFormat.KEY_PLAN, JsonWriter.write(plan.toJson()));
        Map<String, Object> recipeJson = recipe.toJson();
        // Input files by name (their digests are among the input digests): no path of the build machine.
        recipe.inputFiles().forEach((parameter, file) -> recipeJson.put(parameter.jsonKey(), file.getFileName().toString()));
        metadata.put(ArtifactFormat.KEY_RECIPE, JsonWriter.write(recipeJson));
        metadata.put(ArtifactFormat.KEY_DIGESTS, JsonWriter.write(digests));
        TokenizerConfig.chat(prepared.checkpoint().directory())
                .ifPresent(chat -> metadata.put(ArtifactFormat.KEY_CHAT, JsonWriter.write(chat.toJson())));
        SafetensorsWriter.write(out, metadata, tensors, ArtifactFormat.ALIGNMENT, ArtifactFormat.KEY_CHECKSUM);
    }

    /** How the runtime applies {@code rotation}: fixed transforms as WHT, trained matrices as matmul. */
    private static RotationPlan.Online plan(OnlineRotation rotation) {
        if (rotation == null) {
            return null;
        } else if (rotation instanceof HadamardTransform t) {
            return new RotationPlan.Wht(t.size(), t.factor());
        } else if (rotation instanceof HeadRotations h) {
            return new RotationPlan.Matmul((int) h.matrices(0).size(1), (int) h.matrices(0).size(0));
        } else if (rotation instanceof KroneckerRotations k) {
            return new RotationPlan.Kronecker(factor(k.a(0), k.trainedA()), factor(k.b(0), k.trainedB()));
        }
        throw new IllegalStateException("online rotation " + rotation + " has no artifact form");
    }

    private static RotationPlan.Online factor(Tensor matrix, boolean trained) {
        int n = (int) matrix.size(0);
        return trained ? new RotationPlan.Matmul(n, 1) : plan(HadamardTransform.ofSize(n, "R4 factor"));
    }

    /** The tensors of one plan entry and the compiler rotation it describes. */
    private static void addRotation(List<SafetensorsWriter.Tensor> tensors, String name, RotationPlan.Online plan,
            OnlineRotation rotation, int layers) {
        if (plan instanceof RotationPlan.Kronecker k && rotation instanceof KroneckerRotations factors) {
            addSingleRotation(tensors, name + ".a", k.a(), factors::a, layers);
            addSingleRotation(tensors, name + ".b", k.b(), factors::b, layers);
        } else {
            addSingleRotation(tensors, name, plan, rotation instanceof HeadRotations h ? h::matrices : null, layers);
        }
    }

    /**
     * The tensors of one rotation that is not a product: had_K of a WHT (K > 1), or every layer's
     * trained matrices ({@code matrices} by layer), transposed: the compiler rotates rows,
     * {@code x·R}; the artifact stores M = Rᵀ for {@code y = M·x}.
     */
    private static void addSingleRotation(List<SafetensorsWriter.Tensor> tensors, String name, RotationPlan.Online plan,
            IntFunction<Tensor> matrices, int layers) {
        if (plan instanceof RotationPlan.Wht wht && wht.factor() > 1) {
            tensors.add(bytes(ArtifactFormat.rotation(name), "I8", HadamardTables.bytes(wht.factor()), wht.factor(),
                    wht.factor()));
        } else if (plan instanceof RotationPlan.Matmul matmul) {
            for (int l = 0; l < layers; l++) {
                tensors.add(tensor(ArtifactFormat.layerRotation(l, name), matrices.apply(l)
                        .reshape(matmul.heads(), matmul.size(), matmul.size()).transpose(1, 2).contiguous(),
                        ScalarType.Float, "F32"));
            }
        }
    }

    /**
     * A [vocab, d] token table: F16; with {@code bits} 8, symmetric 8-bit codes with one max-abs
     * scale per row; with 4, 4-bit codes with a scale per {@link #TABLE_GROUP} columns (one per row
     * would cost far more at 4 bits), clip-searched when the recipe clips its weights, packed as the
     * 4-bit linears are. Quantized once, when the codes are written (so only one table's codes are
     * held at a time); the scales, written right after, are kept from that quantization.
     */
    private static void addTokenTable(List<SafetensorsWriter.Tensor> tensors, String name, Tensor w, int bits,
            boolean clip) {
        if (bits == 16) {
            tensors.add(tensor(name, w, ScalarType.Half, "F16"));
            return;
        }
        long rows = w.size(0);
        long cols = w.size(1);
        boolean packed = bits == 4;
        WeightQuantizer quantizer = packed ? new WeightQuantizer(bits, TABLE_GROUP, clip) : new WeightQuantizer(bits, 0, false);
        long[] codeShape = packed ? new long[] {rows, cols / 2} : new long[] {rows, cols};
        long[] scaleShape = packed ? new long[] {rows, cols / TABLE_GROUP} : new long[] {rows};
        Tensor[] scales = {null};
        tensors.add(new SafetensorsWriter.Tensor(name, packed ? ArtifactFormat.GROUP_CODES_DTYPE
                : ArtifactFormat.ROW_CODES_DTYPE, codeShape, codeShape[0] * codeShape[1], channel -> {
                    try (PointerScope scope = new PointerScope()) {
                        QuantizedWeight quantized = quantizer.quantize(w.to(ScalarType.Float));
                        scales[0] = quantized.scales().reshape(-1);
                        scales[0].retainReference();
                        if (packed) {
                            SafetensorsWriter.writeFully(channel, ByteBuffer.wrap(packNibbles(toBytes(quantized.codes()))));
                        } else {
                            write(channel, quantized.codes(), ScalarType.Char);
                        }
                    }
                }));
        tensors.add(new SafetensorsWriter.Tensor(ArtifactFormat.rowScales(name), "F32", scaleShape,
                4 * rows * (packed ? cols / TABLE_GROUP : 1), channel -> {
                    try {
                        write(channel, scales[0], ScalarType.Float);
                    } finally {
                        scales[0].releaseReference();
                    }
                }));
    }

    private static void addOptionalF32(List<SafetensorsWriter.Tensor> tensors, String name, Tensor norm) {
        if (norm != null) {
            tensors.add(tensor(name, norm, ScalarType.Float, "F32"));
        }
    }

    private static void addLinear(List<SafetensorsWriter.Tensor> tensors, int layer, String name, QuantizedWeight w,
            QuantSpec quant) {
        if (w.groupIndex() != null) {
            throw new IllegalStateException("permuted weight groups reached the writer (checkRecipe lets none through)");
        }
        int out = (int) w.codes().size(0);
        int in = (int) w.codes().size(1);
        if (quant.packedWeights()) {
            tensors.add(new SafetensorsWriter.Tensor(ArtifactFormat.codes(layer, name), "U8", new long[] {out, in / 2},
                    (long) out * (in / 2), channel -> SafetensorsWriter.writeFully(channel,
                            ByteBuffer.wrap(packNibbles(toBytes(w.codes()))))));
        } else {
            tensors.add(tensor(ArtifactFormat.codes(layer, name), w.codes(), ScalarType.Char, "I8"));
        }
        tensors.add(tensor(ArtifactFormat.scales(layer, name), w.scales(), ScalarType.Float, "F32"));
    }

    /** Signed 4-bit codes, one per byte, two to a byte: the even column in the low nibble. */
    private static byte[] packNibbles(byte[] codes) {
        byte[] packed = new byte[codes.length / 2];
        for (int p = 0; p < packed.length; p++) {
            packed[p] = (byte) ((codes[2 * p] & 0xF) | (codes[2 * p + 1] << 4));
        }
        return packed;
    }

    private static SafetensorsWriter.Tensor bytes(String name, String dtype, byte[] data, long... shape) {
        return new SafetensorsWriter.Tensor(name, dtype, shape, data.length,
                channel -> SafetensorsWriter.writeFully(channel, ByteBuffer.wrap(data)));
    }

    /** A tensor's values converted to {@code type}, written little-endian when the writer gets to it. */
    private static SafetensorsWriter.Tensor tensor(String name, Tensor t, ScalarType type, String dtype) {
        long[] shape = new long[(int) t.dim()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.size(i);
            count *= shape[i];
        }
        return new SafetensorsWriter.Tensor(name, dtype, shape, count * SafetensorsFile.dtypeBytes(dtype),
                channel -> write(channel, t, type));
    }

    private static void write(FileChannel channel, Tensor t, ScalarType type) throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Tensor converted = t.to(type).contiguous().cpu();
            long length = converted.nbytes();
            BytePointer data = new BytePointer(converted.data_ptr()).capacity(length);
            for (long done = 0; done < length; done += 1 << 30) {
                long chunk = Math.min(1 << 30, length - done);
                ByteBuffer view = data.position(done).limit(done + chunk).asByteBuffer();
                SafetensorsWriter.writeFully(channel, view);
            }
        }
    }

    private static byte[] toBytes(Tensor codes) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = codes.contiguous().cpu();
            byte[] out = new byte[(int) c.numel()];
            new BytePointer(c.data_ptr()).capacity(out.length).get(out);
            return out;
        }
    }
}
