package io.rotquant.runtime.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Text generation on a session: the prompt is prefilled in one pass, then tokens are sampled one
 * at a time ({@link Sampler}: greedy at temperature 0, else temperature with top-k, top-p, min-p
 * and a repetition penalty, from a seeded generator) until a stop token, a stop string, the token
 * budget, the context's end, or {@link #cancel()}; the result says which ({@link FinishReason}).
 * {@link Listener} hears each token with the text it completes, never half a character, and never
 * text that might be the start of a stop string. Every generated token is in the session's cache
 * when {@code run} returns (a stop token is not), so a second {@code run} continues the same text.
 *
 * <p>A generation runs on the calling thread (the model's pool does the matmuls) and is not
 * thread-safe, except {@link #cancel()}, which any thread may call.
 */
public final class Generation {
    /** Hears every generated token id with the text it adds (possibly empty). */
    @FunctionalInterface
    public interface Listener {
        void onToken(int token, String text);
    }

    /**
     * Changes the next-token logits before they are sampled: a token whose logit is set to negative
     * infinity cannot be drawn (constrained output: a grammar, a fixed set of answers; a bias on
     * some tokens). Called once per generated token, in the order the processors were added.
     */
    @FunctionalInterface
    public interface LogitsProcessor {
        /**
         * {@code generated}: the ids this run has generated so far (a copy); {@code logits}: one
         * per vocabulary entry, to change in place (the array is reused: do not keep it).
         */
        void process(int[] generated, float[] logits);
    }

    /** The generated ids, their text (cut before a stop string), and why generation ended. */
    public record Result(int[] tokens, String text, FinishReason finishReason) {
    }

    private final Session session;
    private final RotQuantModel model;
    private int maxTokens = 128;
    private double temperature;
    private int topK;
    private double topP = 1.0;
    private double minP;
    private double repetitionPenalty = 1.0;
    private long seed;
    private IntPredicate stop;
    private List<String> stopStrings = List.of();
    private Listener listener = (token, text) -> { };
    private final List<LogitsProcessor> processors = new ArrayList<>();
    private volatile boolean cancelled;

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

    /** Sample among the k most likely tokens only; 0 (the default) is no limit. */
    public Generation topK(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("topK must be >= 0, got " + k);
        }
        this.topK = k;
        return this;
    }

    /** Sample from the smallest set of most likely tokens holding this much probability (default 1). */
    public Generation topP(double p) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + p);
        }
        this.topP = p;
        return this;
    }

    /** Drop tokens less likely than {@code p} times the most likely one; 0 (the default) keeps all. */
    public Generation minP(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("minP must be in [0, 1], got " + p);
        }
        this.minP = p;
        return this;
    }

    /**
     * Divides the positive logits (multiplies the negative ones) of every token already in the
     * prompt or the output by {@code penalty}; 1 (the default) is none.
     */
    public Generation repetitionPenalty(double penalty) {
        if (!(penalty >= 1)) {
            throw new IllegalArgumentException("repetitionPenalty must be >= 1, got " + penalty);
        }
        this.repetitionPenalty = penalty;
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

    /** Stop when the generated text contains one of these; the text is cut before it. */
    public Generation stopStrings(String... strings) {
        for (String s : strings) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
        this.stopStrings = List.of(strings);
        return this;
    }

    /** Adds a processor of the logits before each token is sampled (see {@link LogitsProcessor}). */
    public Generation processLogits(LogitsProcessor processor) {
        processors.add(java.util.Objects.requireNonNull(processor, "processor"));
        return this;
    }

    public Generation onToken(Listener l) {
        this.listener = l;
        return this;
    }

    /** Ends the generation after the token being generated now (callable from the listener or any thread). */
    public void cancel() {
        cancelled = true;
    }

    /** Appends {@code prompt} (token ids, BOS included if wanted) and generates. */
    public Result run(int[] prompt) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        int vocabulary = model.spec().vocabSize();
        boolean[] seen = repetitionPenalty == 1 ? null : new boolean[vocabulary];
        mark(seen, prompt);
        Sampler sampler = new Sampler(temperature, topK, topP, minP, repetitionPenalty, seed);
        TextStream stream = new TextStream(model.tokenizer());
        StringBuilder text = new StringBuilder();
        int emitted = 0;
        float[][] last = new float[1][];
        session.forward(prompt, 0, prompt.length, false, (t, logits) -> last[0] = logits);
        List<Integer> out = new ArrayList<>();
        FinishReason reason = null;
        while (reason == null) {
            if (out.size() == maxTokens) {
                reason = FinishReason.LENGTH;
                break;
            }
            if (session.position() >= model.spec().maxPositions()) {
                reason = FinishReason.CONTEXT_FULL;
                break;
            }
            process(out, last[0]);
            int token = sampler.sample(last[0], seen);
            if (stop.test(token)) {
                reason = FinishReason.STOP_TOKEN;
                break;
            }
            out.add(token);
            if (seen != null) {
                seen[token] = true;
            }
            text.append(stream.push(token));
            int cut = stopAt(text, emitted);
            if (cut >= 0) {
                text.setLength(cut);
                reason = FinishReason.STOP_STRING;
            }
            int ready = reason == null ? text.length() - heldBack(text) : text.length();
            listener.onToken(token, text.substring(emitted, Math.max(emitted, ready)));
            emitted = Math.max(emitted, ready);
            if (cancelled && reason == null) {
                reason = FinishReason.CANCELLED;
            }
            // Every generated token goes into the cache, the last one too, so that a later run on
            // this session continues from the whole text; only its logits are skipped.
            boolean more = reason == null && out.size() < maxTokens && session.position() + 1 < model.spec().maxPositions();
            if (more) {
                last[0] = session.next(token);
            } else if (session.position() < model.spec().maxPositions()) {
                session.append(token);
            }
        }
        if (reason != FinishReason.STOP_STRING) {
            text.append(stream.flush());
        }
        int[] ids = out.stream().mapToInt(Integer::intValue).toArray();
        return new Result(ids, text.toString(), reason);
    }

    /** Runs the processors on {@code logits}; refuses logits they left without a token to draw. */
    private void process(List<Integer> generated, float[] logits) {
        if (processors.isEmpty()) {
            return;
        }
        int[] ids = generated.stream().mapToInt(Integer::intValue).toArray();
        for (LogitsProcessor p : processors) {
            p.process(ids.clone(), logits);
        }
        for (float logit : logits) {
            if (logit > Float.NEGATIVE_INFINITY) {
                return;
            }
        }
        throw new IllegalStateException("the logits processors forbade every token (after " + ids.length + " generated)");
    }

    private static void mark(boolean[] seen, int[] ids) {
        if (seen != null) {
            for (int id : ids) {
                if (id >= 0 && id < seen.length) {
                    seen[id] = true;
                }
            }
        }
    }

    /** Where the first stop string starts in {@code text}, searching from what may overlap the new part; -1 if none. */
    private int stopAt(StringBuilder text, int emitted) {
        int found = -1;
        for (String s : stopStrings) {
            int at = text.indexOf(s, Math.max(0, emitted - s.length() + 1));
            if (at >= 0 && (found < 0 || at < found)) {
                found = at;
            }
        }
        return found;
    }

    /** How many trailing characters could begin a stop string, and are held back until the next token tells. */
    private int heldBack(StringBuilder text) {
        int longest = 0;
        for (String s : stopStrings) {
            for (int k = Math.min(s.length() - 1, text.length()); k > longest; k--) {
                if (endsWith(text, s, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    /** Whether {@code text} ends with the first {@code k} characters of {@code s}. */
    private static boolean endsWith(StringBuilder text, String s, int k) {
        int from = text.length() - k;
        for (int j = 0; j < k; j++) {
            if (text.charAt(from + j) != s.charAt(j)) {
                return false;
            }
        }
        return true;
    }
}
