package io.rotquant.runtime.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Text generation on a session: the prompt is prefilled in one pass, then tokens are sampled one
 * at a time (greedy at temperature 0, else temperature and nucleus top-p sampling from a seeded
 * generator) until a stop token or the token budget. {@link Listener} hears each new token. Every
 * generated token is in the session's cache when {@code run} returns (a stop token is not), so a
 * second {@code run} continues the same text.
 */
public final class Generation {
    /** Hears every generated token id with the text it adds. */
    @FunctionalInterface
    public interface Listener {
        void onToken(int token, String text);
    }

    /** The generated ids and their decoded text. */
    public record Result(int[] tokens, String text) {
    }

    private final Session session;
    private final RotQuantModel model;
    private int maxTokens = 128;
    private double temperature;
    private double topP = 1.0;
    private long seed;
    private IntPredicate stop;
    private Listener listener = (token, text) -> { };

    Generation(Session session, RotQuantModel model) {
        this.session = session;
        this.model = model;
        List<Integer> eos = model.spec().eosTokenIds();
        this.stop = eos::contains;
    }

    public Generation maxTokens(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxTokens must be positive, got " + n);
        }
        this.maxTokens = n;
        return this;
    }

    /** 0 (the default) is greedy. */
    public Generation temperature(double t) {
        if (!(t >= 0)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + t);
        }
        this.temperature = t;
        return this;
    }

    public Generation topP(double p) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + p);
        }
        this.topP = p;
        return this;
    }

    public Generation seed(long s) {
        this.seed = s;
        return this;
    }

    /** Stop tokens (default: the model's EOS ids). */
    public Generation stopTokens(int... ids) {
        int[] copy = ids.clone();
        Arrays.sort(copy);
        this.stop = id -> Arrays.binarySearch(copy, id) >= 0;
        return this;
    }

    public Generation onToken(Listener l) {
        this.listener = l;
        return this;
    }

    /** Appends {@code prompt} (token ids, BOS included if wanted) and generates. */
    public Result run(int[] prompt) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[][] last = new float[1][];
        session.forward(prompt, 0, prompt.length, false, (t, logits) -> last[0] = logits);
        List<Integer> out = new ArrayList<>();
        String emitted = "";
        for (int i = 0; i < maxTokens && session.position() < model.spec().maxPositions(); i++) {
            int token = sample(last[0], random);
            if (stop.test(token)) {
                break;
            }
            out.add(token);
            String text = model.tokenizer().decode(out.stream().mapToInt(Integer::intValue).toArray(), true);
            listener.onToken(token, text.substring(Math.min(emitted.length(), text.length())));
            emitted = text;
            if (session.position() >= model.spec().maxPositions()) {
                break;
            }
            // Every generated token goes into the cache, the last one too, so that a later run on
            // this session continues from the whole text; only its logits are skipped.
            if (i + 1 < maxTokens) {
                last[0] = session.next(token);
            } else {
                session.append(token);
            }
        }
        int[] ids = out.stream().mapToInt(Integer::intValue).toArray();
        return new Result(ids, model.tokenizer().decode(ids, true));
    }

    private int sample(float[] logits, SplittableRandom random) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        if (temperature == 0) {
            return best;
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - logits[best]) / temperature);
            sum += p[i];
        }
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        double kept = 0;
        int count = 0;
        while (count < order.length && (count == 0 || kept < topP * sum)) {
            kept += p[order[count++]];
        }
        double r = random.nextDouble() * kept;
        for (int i = 0; i < count; i++) {
            r -= p[order[i]];
            if (r <= 0) {
                return order[i];
            }
        }
        return order[count - 1];
    }
}
