package io.rotquant.runtime.model;

import io.rotquant.runtime.artifact.ModelSpec;
import io.rotquant.runtime.artifact.QuantSpec;

/**
 * One sequence being processed: its position and its per-layer K/V caches. Not thread-safe; use
 * one session per thread (they share the model's weights and worker pool).
 */
public final class Session {
    /** Receives the logits at one position of a forward call (the array is reused: copy what you keep). */
    @FunctionalInterface
    public interface LogitsSink {
        void accept(int index, float[] logits);
    }

    /** Positions whose logits are computed together, so that each row of the head is read once per group. */
    private static final int HEAD_TOKENS = 16;

    private final RotQuantModel model;
    private final ModelSpec spec;
    private final DynamicQuantizer activations;
    private final KvRows[] keys;
    private final KvRows[] values;
    private final float[] logits;
    private final java.util.Map<String, String> notes = new java.util.LinkedHashMap<>();
    private int position;

    Session(RotQuantModel model) {
        this.model = model;
        this.spec = model.spec();
        QuantSpec q = model.quant();
        this.activations = q.activationBits() == 16 ? null : new DynamicQuantizer(q.activationBits(), q.activationClip(), true);
        DynamicQuantizer keyQuantizer = q.kvBits() == 16 ? null : new DynamicQuantizer(q.kvBits(), q.kvClip(), true);
        DynamicQuantizer valueQuantizer = q.kvBits() == 16 ? null : new DynamicQuantizer(q.kvBits(), q.kvClip(), false);
        this.keys = new KvRows[spec.numLayers()];
        this.values = new KvRows[spec.numLayers()];
        int initial = Math.min(256, spec.maxPositions());
        for (int l = 0; l < keys.length; l++) {
            keys[l] = new KvRows(spec.headDim(), spec.numKvHeads(), keyQuantizer, initial, model.kernels(), true);
            values[l] = new KvRows(spec.headDim(), spec.numKvHeads(), valueQuantizer, initial, model.kernels(), false);
        }
        this.logits = new float[spec.vocabSize()];
    }

    private Session(Session source) {
        this.model = source.model;
        this.spec = source.spec;
        this.activations = source.activations;
        this.keys = new KvRows[spec.numLayers()];
        this.values = new KvRows[spec.numLayers()];
        for (int l = 0; l < keys.length; l++) {
            keys[l] = source.keys[l].copy(source.position);
            values[l] = source.values[l].copy(source.position);
        }
        this.logits = new float[spec.vocabSize()];
        this.position = source.position;
        this.notes.putAll(source.notes);
    }

    /**
     * A new session that starts where this one is: the same tokens in a copy of its cache, so that the
     * two go on independently. Forking a session that has fed a shared prefix (a system prompt, a
     * document) spares each continuation that prefix's prefill; the copy costs the cache's bytes up to
     * {@link #position()}. Not while another thread uses this session.
     */
    public Session fork() {
        return new Session(this);
    }

    /**
     * Writes this session's state (its position and cache) to {@code file} in one step, so that
     * {@link RotQuantModel#loadSession} on the same artifact goes on from here, in this process or
     * another ({@link SessionFile} is the format). Not while another thread uses this session.
     */
    public void save(java.nio.file.Path file) throws java.io.IOException {
        SessionFile.write(file, model, this);
    }

    /**
     * The application's notes on this session (a conversation's messages, an id), which travel with
     * it: {@link #save} writes them, {@link RotQuantModel#loadSession} gives them back, a
     * {@link #fork} copies them. A live, modifiable map.
     */
    public java.util.Map<String, String> notes() {
        return notes;
    }

    /** Whether safetensors {@code metadata} is a saved session's ({@link #save}). */
    public static boolean isSavedSession(java.util.Map<String, String> metadata) {
        return SessionFile.FORMAT.equals(metadata.get("format"));
    }

    KvRows keys(int layer) {
        return keys[layer];
    }

    KvRows values(int layer) {
        return values[layer];
    }

    /** The position of a session whose caches were just filled from a file. */
    void restored(int length) {
        position = length;
    }

    /** Tokens processed so far. */
    public int position() {
        return position;
    }

    /** A generation from this session's current state (see {@link Generation}). */
    public Generation generate() {
        return new Generation(this, model);
    }

    /** Forgets the sequence (the cache memory is kept for reuse). */
    public void reset() {
        position = 0;
    }

    /** Keeps the first {@code length} tokens of the sequence and forgets the rest (their cache rows are overwritten by what follows). */
    public void rewind(int length) {
        if (length < 0 || length > position) {
            throw new IllegalArgumentException("cannot keep " + length + " of " + position + " tokens");
        }
        position = length;
    }

    /** Appends one token and returns the next-token logits (a reused array). */
    public float[] next(int token) {
        forward(new int[] {token}, 0, 1, false, (i, l) -> { });
        return logits;
    }

    /** Appends one token to the KV cache without computing logits (the head is the dearest matmul). */
    public void append(int token) {
        append(new int[] {token}, 0, 1);
    }

    /** Appends tokens[from .. from+count) to the KV cache in one batched pass, without computing logits. */
    public void append(int[] tokens, int from, int count) {
        layers(tokens, from, count);
    }

    /** The layer pass that appends tokens[from .. from+count) to the KV cache: the last layer's output, [count·d]. */
    private float[] layers(int[] tokens, int from, int count) {
        if (count < 1 || from < 0 || from + count > tokens.length) {
            throw new IllegalArgumentException("tokens [" + from + ", " + (from + count) + ") outside the array");
        }
        if (position + count > spec.maxPositions()) {
            throw new IllegalArgumentException("sequence of " + (position + count) + " tokens exceeds the model's context of "
                    + spec.maxPositions());
        }
        int d = spec.hiddenSize();
        float[] x = new float[count * d];
        TokenTable embedding = model.embedding();
        for (int t = 0; t < count; t++) {
            int token = tokens[from + t];
            if (token < 0 || token >= spec.vocabSize()) {
                throw new IllegalArgumentException("token id " + token + " outside the vocabulary of " + spec.vocabSize());
            }
            embedding.row(token, x, t * d);
        }
        for (int l = 0; l < spec.numLayers(); l++) {
            keys[l].ensure(position + count);
            values[l].ensure(position + count);
            layer(l, x, count);
        }
        position += count;
        return x;
    }

    /**
     * Appends tokens[from .. from+count) in one batched pass. The sink hears the logits after every
     * appended token when {@code everyPosition}, else only after the last.
     */
    public void forward(int[] tokens, int from, int count, boolean everyPosition, LogitsSink sink) {
        float[] x = layers(tokens, from, count);
        int d = spec.hiddenSize();
        float[] normed = rmsNorm(x, count, d, model.finalNorm());
        if (!everyPosition) {
            head(normed, count - 1, 1, logits);
            sink.accept(count - 1, logits);
            return;
        }
        int vocab = spec.vocabSize();
        float[] chunk = new float[Math.min(count, HEAD_TOKENS) * vocab];
        for (int first = 0; first < count; first += HEAD_TOKENS) {
            int group = Math.min(HEAD_TOKENS, count - first);
            head(normed, first, group, chunk);
            for (int t = 0; t < group; t++) {
                System.arraycopy(chunk, t * vocab, logits, 0, vocab);
                sink.accept(first + t, logits);
            }
        }
    }

    private void layer(int index, float[] x, int count) {
        Layer w = model.layer(index);
        OnlineRotations online = model.online();
        Parallel parallel = model.parallel();
        int d = spec.hiddenSize();
        int dh = spec.headDim();
        Activations a = Activations.of(rmsNorm(x, count, d, w.inputNorm()), count, d, activations, parallel);
        float[] q = new float[count * spec.qDim()];
        float[] k = new float[count * spec.kvDim()];
        float[] v = new float[count * spec.kvDim()];
        w.q().apply(a, q, parallel);
        w.k().apply(a, k, parallel);
        w.v().apply(a, v, parallel);
        // Per token and independent of the others, so a prefill's tokens share the threads; the
        // cache's writes (which share a quantizer buffer) stay on this thread.
        parallel.forEach(count, t -> {
            addBias(q, t * spec.qDim(), w.qBias());
            addBias(k, t * spec.kvDim(), w.kBias());
            addBias(v, t * spec.kvDim(), w.vBias());
            rope(q, t * spec.qDim(), spec.numHeads(), position + t);
            rope(k, t * spec.kvDim(), spec.numKvHeads(), position + t);
            if (online.hasR3()) {
                int perKv = spec.numHeads() / spec.numKvHeads();
                for (int h = 0; h < spec.numHeads(); h++) {
                    online.r3(index, h / perKv).apply(q, t * spec.qDim() + h * dh);
                }
                for (int h = 0; h < spec.numKvHeads(); h++) {
                    online.r3(index, h).apply(k, t * spec.kvDim() + h * dh);
                }
            }
        });
        for (int t = 0; t < count; t++) {
            for (int h = 0; h < spec.numKvHeads(); h++) {
                keys[index].put(position + t, h, k, t * spec.kvDim() + h * dh);
                values[index].put(position + t, h, v, t * spec.kvDim() + h * dh);
            }
        }
        float[] attention = model.attention().apply(keys[index], values[index], q, count, position);
        float[] projected = new float[count * d];
        w.o().apply(Activations.of(attention, count, spec.qDim(), activations, parallel), projected, parallel);
        add(x, projected);

        int inter = spec.intermediateSize();
        Activations m = Activations.of(rmsNorm(x, count, d, w.postNorm()), count, d, activations, parallel);
        float[] gate = new float[count * inter];
        float[] up = new float[count * inter];
        w.gate().apply(m, gate, parallel);
        w.up().apply(m, up, parallel);
        VectorRotation r4 = online.hasR4() ? online.r4(index) : null;
        parallel.forEach(count, t -> {
            for (int i = t * inter; i < (t + 1) * inter; i++) {
                float g = gate[i];
                gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
            }
            if (r4 != null) {
                r4.apply(gate, t * inter);
            }
        });
        w.down().apply(Activations.of(gate, count, inter, activations, parallel), projected, parallel);
        add(x, projected);
    }

    /** x[from ..] += bias, when there is one. */
    private static void addBias(float[] x, int from, float[] bias) {
        if (bias != null) {
            for (int i = 0; i < bias.length; i++) {
                x[from + i] += bias[i];
            }
        }
    }

    /** Half-split RoPE on every head of the row at x[from ..]. */
    private void rope(float[] x, int from, int heads, int pos) {
        float[] inv = model.inverseFrequencies();
        int half = inv.length;
        int dh = spec.headDim();
        for (int i = 0; i < half; i++) {
            float angle = (float) pos * inv[i];
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            for (int h = 0; h < heads; h++) {
                int base = from + h * dh;
                float first = x[base + i];
                float second = x[base + i + half];
                x[base + i] = first * cos - second * sin;
                x[base + i + half] = second * cos + first * sin;
            }
        }
    }

    /** HF RMSNorm per row: x·(mean(x²) + eps)^−½, then the weight when there is one. */
    private float[] rmsNorm(float[] x, int rows, int width, float[] weight) {
        float[] out = new float[rows * width];
        for (int t = 0; t < rows; t++) {
            double squares = 0;
            for (int i = 0; i < width; i++) {
                float v = x[t * width + i];
                squares += v * v;
            }
            float inv = (float) (1.0 / Math.sqrt((float) (squares / width) + (float) spec.rmsNormEps()));
            for (int i = 0; i < width; i++) {
                float v = x[t * width + i] * inv;
                out[t * width + i] = weight == null ? v : v * weight[i];
            }
        }
        return out;
    }

    /** Logits of rows first .. first+tokens of {@code normed} into out [tokens × vocab], each head row read once for all. */
    private void head(float[] normed, int first, int tokens, float[] out) {
        int d = spec.hiddenSize();
        TokenTable head = model.lmHead();
        Kernels kernels = model.kernels();
        int vocab = spec.vocabSize();
        int block = 64;
        float[] x = head.prepared(normed, first, tokens);
        model.parallel().forEach((vocab + block - 1) / block, task -> {
            for (int j = task * block; j < Math.min(vocab, (task + 1) * block); j++) {
                for (int t = 0; t < tokens; t++) {
                    out[t * vocab + j] = head.dot(kernels, j, x, t * d);
                }
            }
        });
    }

    private static void add(float[] x, float[] delta) {
        for (int i = 0; i < x.length; i++) {
            x[i] += delta[i];
        }
    }
}
