package io.rotquant.examples.jlamabench;

import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.SafeTensorSupport;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import com.github.tjake.jlama.util.PhysicalCoreExecutor;
import java.io.File;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Prefill and batch-1 decode throughput of Jlama on a Hugging Face checkpoint, measured the way
 * {@code rotquant bench-runtime} measures the rotquant runtime: the same token ids
 * ({@code new SplittableRandom(seed).nextInt(vocab)} in order), the same thread count, logits
 * computed for the last prefill position and for every decoded token, median after warm-up.
 *
 * <p>Arguments: {@code MODEL_DIR f32|q4 THREADS PREFILL CONTEXTS(comma) DECODE_TOKENS WARMUP REPEAT SEED}.
 * {@code f32} keeps the weights and activations in float32; {@code q4} first writes a Q4 copy of
 * the checkpoint with Jlama's own quantizer (into {@code MODEL_DIR-jlama-q4}, reused when present)
 * and runs it with I8 activations (its fastest pure-Java path).
 */
public final class JlamaBench {
    private JlamaBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 9) {
            System.err.println("usage: JlamaBench MODEL_DIR f32|q4 THREADS PREFILL CONTEXTS DECODE_TOKENS WARMUP REPEAT SEED");
            System.exit(2);
        }
        File dir = new File(args[0]);
        boolean q4 = args[1].equals("q4");
        int threads = Integer.parseInt(args[2]);
        int prefill = Integer.parseInt(args[3]);
        int[] contexts = Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray();
        int decode = Integer.parseInt(args[5]);
        int warmup = Integer.parseInt(args[6]);
        int repeat = Integer.parseInt(args[7]);
        long seed = Long.parseLong(args[8]);
        PhysicalCoreExecutor.overrideThreadCount(threads);
        if (q4) {
            File quantized = new File(dir.getPath() + "-jlama-q4");
            if (!quantized.isDirectory()) {
                SafeTensorSupport.quantizeModel(dir.toPath(), DType.Q4, new String[0], new String[0],
                        java.util.Optional.of(quantized.toPath()));
            }
            dir = quantized;
        }
        try (AbstractModel model = ModelSupport.loadModel(dir, DType.F32, q4 ? DType.I8 : DType.F32)) {
            int vocab = model.getConfig().vocabularySize;
            int longest = Math.max(prefill, Arrays.stream(contexts).max().orElse(0));
            int[] ids = new SplittableRandom(seed).ints(longest, 0, vocab).toArray();
            String path = (q4 ? "Q4 weights x I8 activations" : "F32") + ", " + threads + " threads";
            double pre = median(warmup, repeat, () -> {
                try (KvBufferCache cache = new KvBufferCache(model)) {
                    KvBufferCache.KvBuffer kv = cache.getKvBuffer(UUID.randomUUID());
                    long start = System.nanoTime();
                    try (AbstractTensor out = model.batchForward(Arrays.copyOf(ids, prefill), 0, kv)) {
                        model.getLogits(out.slice(out.shape().first() - 1));
                    }
                    return (System.nanoTime() - start) / 1e9;
                }
            });
            System.out.printf(Locale.ROOT, "jlama prefill_%d: %.2f tokens/s [%s]%n", prefill, prefill / pre, path);
            for (int c : contexts) {
                double dec = median(warmup, repeat, () -> {
                    try (KvBufferCache cache = new KvBufferCache(model)) {
                        KvBufferCache.KvBuffer kv = cache.getKvBuffer(UUID.randomUUID());
                        fill(model, ids, c - decode, kv);
                        long start = System.nanoTime();
                        for (int t = c - decode; t < c; t++) {
                            try (AbstractTensor out = model.forward(ids[t], t, kv, java.util.Optional.empty())) {
                                model.getLogits(out);
                            }
                        }
                        return (System.nanoTime() - start) / 1e9;
                    }
                });
                System.out.printf(Locale.ROOT, "jlama decode_at_%d: %.2f tokens/s [%s]%n", c, decode / dec, path);
            }
        }
        System.exit(0);
    }

    /** Fills the cache with ids[0 .. n) in batches (one batch of 2,032 overflows a Jlama buffer). */
    private static void fill(AbstractModel model, int[] ids, int n, KvBufferCache.KvBuffer kv) {
        for (int from = 0; from < n; from += FILL_BATCH) {
            int to = Math.min(n, from + FILL_BATCH);
            model.batchForward(Arrays.copyOfRange(ids, from, to), from, kv).close();
        }
    }

    private static final int FILL_BATCH = 256;

    private interface Run {
        double seconds() throws Exception;
    }

    private static double median(int warmup, int repeat, Run run) throws Exception {
        double[] s = new double[repeat];
        for (int i = -warmup; i < repeat; i++) {
            double v = run.seconds();
            if (i >= 0) {
                s[i] = v;
            }
        }
        Arrays.sort(s);
        return repeat % 2 == 1 ? s[repeat / 2] : (s[repeat / 2 - 1] + s[repeat / 2]) / 2;
    }
}
