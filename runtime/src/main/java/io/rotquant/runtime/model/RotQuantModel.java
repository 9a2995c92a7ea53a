package io.rotquant.runtime.model;

import io.rotquant.runtime.artifact.Artifact;
import io.rotquant.runtime.artifact.ArtifactException;
import io.rotquant.runtime.artifact.ArtifactFormat;
import io.rotquant.runtime.artifact.Integrity;
import io.rotquant.runtime.artifact.ModelSpec;
import io.rotquant.runtime.artifact.QuantSpec;
import io.rotquant.runtime.artifact.RotationPlan;
import io.rotquant.runtime.safetensors.SafetensorsFile;
import io.rotquant.runtime.tokenizer.Tokenizer;
import io.rotquant.runtime.tokenizer.TokenizerException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A rotquant artifact loaded for inference. Immutable once loaded and safe to share: each thread
 * works through its own {@link Session}. Close it to release the mapped file and the worker threads.
 */
public final class RotQuantModel implements AutoCloseable {

    private final Artifact artifact;
    private final ModelSpec spec;
    private final QuantSpec quant;
    private final Tokenizer tokenizer;
    private final Layer[] layers;
    private final TokenTable embedding;
    private final TokenTable lmHead;
    private final float[] finalNorm;
    private final float[] inverseFrequencies;
    private final OnlineRotations online;
    private final Parallel parallel;
    private final Attention attention;
    private final Kernels kernels = Kernels.best();

    private RotQuantModel(Artifact artifact, int threads) {
        this.artifact = artifact;
        this.spec = artifact.model();
        this.quant = artifact.quant();
        try {
            this.tokenizer = Tokenizer.fromBytes(artifact.path() + " tokenizer",
                    artifact.tensor(ArtifactFormat.TOKENIZER).toArray(ValueLayout.JAVA_BYTE));
        } catch (TokenizerException e) {
            throw new ArtifactException(artifact.path() + ": tokenizer: " + e.getMessage(), e);
        }
        this.embedding = TokenTable.read(artifact, ArtifactFormat.EMBEDDING, spec.hiddenSize());
        this.lmHead = TokenTable.read(artifact, ArtifactFormat.LM_HEAD, spec.hiddenSize());
        // First, so that its compilation runs beside the layers' loading.
        lmHead.warmUp(kernels);
        this.finalNorm = floats(ArtifactFormat.FINAL_NORM);
        this.inverseFrequencies = floats(ArtifactFormat.ROPE_INVERSE_FREQUENCIES);
        this.layers = new Layer[spec.numLayers()];
        int d = spec.hiddenSize();
        int inter = spec.intermediateSize();
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new Layer(floats(ArtifactFormat.norm(l, "input")), floats(ArtifactFormat.norm(l, "post")),
                    linear(l, "q_proj", spec.qDim(), d), linear(l, "k_proj", spec.kvDim(), d),
                    linear(l, "v_proj", spec.kvDim(), d), linear(l, "o_proj", d, spec.qDim()),
                    linear(l, "gate_proj", inter, d), linear(l, "up_proj", inter, d), linear(l, "down_proj", d, inter),
                    floats(ArtifactFormat.bias(l, "q_proj")), floats(ArtifactFormat.bias(l, "k_proj")),
                    floats(ArtifactFormat.bias(l, "v_proj")));
        }
        this.online = OnlineRotations.load(artifact, kernels);
        this.parallel = new Parallel(threads);
        this.attention = new Attention(spec, kernels, parallel);
    }

    /** A metadata entry of the artifact ({@link ArtifactFormat}'s keys), if present. */
    public Optional<String> metadata(String key) {
        return Optional.ofNullable(artifact.metadata().get(key));
    }

    /** Loads and validates {@code path} with one worker per available processor. */
    public static RotQuantModel load(Path path) {
        return load(path, Runtime.getRuntime().availableProcessors());
    }

    /** Loads and validates {@code path}, its data checksum included; {@code threads} workers run the kernels. */
    public static RotQuantModel load(Path path, int threads) {
        return load(path, threads, Integrity.CHECKED);
    }

    /** As {@link #load(Path, int)}, hashing the data section only when {@code integrity} is CHECKED. */
    public static RotQuantModel load(Path path, int threads, Integrity integrity) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        Artifact artifact = Artifact.open(path, integrity);
        try {
            return new RotQuantModel(artifact, threads);
        } catch (RuntimeException e) {
            artifact.close();
            throw e;
        }
    }

    private float[] floats(String name) {
        return artifact.has(name) ? artifact.tensor(name).toArray(SafetensorsFile.F32) : null;
    }

    private QuantizedLinear linear(int layer, String name, int out, int in) {
        return new QuantizedLinear(artifact.tensor(ArtifactFormat.codes(layer, name)),
                artifact.tensor(ArtifactFormat.scales(layer, name)), out, in, quant.weightGroup(), quant.packedWeights(),
                kernels);
    }

    public ModelSpec spec() {
        return spec;
    }

    public QuantSpec quant() {
        return quant;
    }

    public RotationPlan plan() {
        return artifact.plan();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public int threads() {
        return parallel.threads();
    }

    /** A new conversation state (empty KV cache). */
    public Session newSession() {
        return new Session(this);
    }

    /**
     * A session as {@link Session#save} wrote it, on this same artifact (checked by its data
     * digest): the same position and cache, so that it goes on as the saved one would have. A
     * file of another artifact or format is refused with an {@link IllegalArgumentException}
     * naming the file and what is wrong.
     */
    public Session loadSession(java.nio.file.Path file) {
        return SessionFile.read(file, this);
    }

    /**
     * Bytes of weights one decoded token reads as this runtime holds them in memory (packed 4-bit
     * codes, the F16 or 8-bit head, F32 scales): the numerator of the memory-bandwidth bound on decode.
     */
    public long weightBytesPerToken() {
        long bytes = lmHead.bytes() + 2L * spec.hiddenSize() + (finalNorm == null ? 0 : 4L * finalNorm.length);
        for (Layer layer : layers) {
            bytes += layer.residentBytes();
        }
        return bytes;
    }

    /** The same for the artifact's own encoding (packed codes, F16 head): what a reader of the file at best moves. */
    public long artifactWeightBytesPerToken() {
        long bytes = 0;
        for (var e : artifact.entries().entrySet()) {
            String name = e.getKey();
            if (name.startsWith("layers.") || name.equals(ArtifactFormat.LM_HEAD)
                    || name.equals(ArtifactFormat.rowScales(ArtifactFormat.LM_HEAD)) || name.equals(ArtifactFormat.FINAL_NORM)) {
                bytes += e.getValue().byteLength();
            }
        }
        return bytes + 2L * spec.hiddenSize();
    }

    /** One line saying what runs: kernels, bit widths, rotations, threads. */
    public String banner() {
        return String.format(java.util.Locale.ROOT, "rotquant runtime: %s kernels, int%d weights x %s activations, KV %s,"
                + " R3 %s, R4 %s, %d threads", kernels.describe(), quant.weightBits(),
                quant.activationBits() == 16 ? "fp32" : "int" + quant.activationBits(),
                quant.kvBits() == 16 ? "fp32" : quant.kvBits() + "-bit", describe(plan().r3()), describe(plan().r4()),
                threads());
    }

    private static String describe(RotationPlan.Online online) {
        return online == null ? "none" : online.describe();
    }

    Layer layer(int index) {
        return layers[index];
    }

    TokenTable embedding() {
        return embedding;
    }

    Kernels kernels() {
        return kernels;
    }

    /** The head as stored (F16 or 8-bit rows): the largest single read of a decoded token at small models. */
    TokenTable lmHead() {
        return lmHead;
    }

    float[] finalNorm() {
        return finalNorm;
    }

    float[] inverseFrequencies() {
        return inverseFrequencies;
    }

    OnlineRotations online() {
        return online;
    }

    Parallel parallel() {
        return parallel;
    }

    Attention attention() {
        return attention;
    }

    @Override
    public void close() {
        parallel.close();
        artifact.close();
    }
}
