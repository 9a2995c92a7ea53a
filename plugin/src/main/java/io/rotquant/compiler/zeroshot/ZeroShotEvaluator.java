package io.rotquant.compiler.zeroshot;

import io.rotquant.compiler.Cancellation;
import io.rotquant.compiler.model.LlamaModel;
import io.rotquant.compiler.torch.Tensors;
import io.rotquant.runtime.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Scores questions with a model. Each choice is one sequence: BOS, the context's tokens, then the
 * continuation's tokens taken from the encoding of context + continuation (so a token spanning the
 * boundary belongs to the continuation, as lm-evaluation-harness splits it). Sequences longer than
 * the model's context keep their last tokens.
 *
 * <p>Sequences are scored in batches of similar lengths, padded on the right: attention is causal
 * and every quantizer groups within one token, so padding after a sequence cannot change its
 * scores; only the continuation's positions go through the head.
 */
public final class ZeroShotEvaluator {
    private final LlamaModel model;
    private final Tokenizer tokenizer;
    private final int bos;
    private final BatchLimit batchLimit;

    public ZeroShotEvaluator(LlamaModel model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.bos = model.config().bosTokenId();
        this.batchLimit = BatchLimit.of(model.device());
    }

    /**
     * The most rows, tokens (rows × longest row) and head logits (predicted positions × vocabulary)
     * in one forward: on the host few rows, for memory (attention there keeps rows × heads × length²
     * scores); on a GPU more, for fewer forwards. Which rows share a forward can move a 4-bit score
     * (a GEMM's summation order depends on its shape, and rounding to 4 bits can amplify the last
     * bit), so the learned-rotations page says which limit each table used.
     */
    record BatchLimit(int rows, long tokens, long logits) {
        static BatchLimit of(Device device) {
            return device.is_cuda() ? new BatchLimit(512, 65536, 1L << 28) : new BatchLimit(64, 8192, 1L << 26);
        }

        boolean fits(int rowCount, int longest, long predicted, int vocabulary) {
            return rowCount <= rows && (long) rowCount * longest <= tokens && predicted * vocabulary <= logits;
        }
    }

    public TaskResult evaluate(ZeroShotTask task, List<Question> questions) {
        long start = System.nanoTime();
        List<Choice> choices = questions.stream().flatMap(q -> q.choices().stream()).toList();
        List<double[]> scores = scoreAll(choices);
        int correct = 0;
        int correctNorm = 0;
        int next = 0;
        for (Question question : questions) {
            int n = question.choices().size();
            double[] logLikelihood = new double[n];
            double[] normalized = new double[n];
            boolean greedyHit = false;
            for (int c = 0; c < n; c++) {
                double[] score = scores.get(next++);
                logLikelihood[c] = score[0];
                normalized[c] = score[0] / Math.max(1, question.choices().get(c).length());
                greedyHit = score[1] > 0;
            }
            if (task.greedy() ? greedyHit : argmax(logLikelihood) == question.gold()) {
                correct++;
            }
            if (argmax(normalized) == question.gold()) {
                correctNorm++;
            }
        }
        int n = questions.size();
        return new TaskResult(task.id(), n, (double) correct / n, task.hasAccNorm() ? (double) correctNorm / n : Double.NaN,
                task.hasAccNorm(), (System.nanoTime() - start) / 1e9);
    }

    /** {sum of continuation log-probabilities, 1 if every continuation token is the argmax else 0}. */
    double[] score(Choice choice) {
        return scoreAll(List.of(choice)).get(0);
    }

    /** The scores of {@link #score} for every choice, in their order. */
    List<double[]> scoreAll(List<Choice> choices) {
        List<Sequence> sequences = choices.stream().map(this::sequence).toList();
        Integer[] order = new Integer[sequences.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> sequences.get(i).ids().length).reversed());
        double[][] scores = new double[sequences.size()][];
        int from = 0;
        while (from < order.length) {
            Cancellation.checkpoint();
            int longest = sequences.get(order[from]).ids().length;
            int to = from + 1;
            long predicted = sequences.get(order[from]).continuation();
            while (to < order.length && batchLimit.fits(to - from + 1, longest,
                    predicted + sequences.get(order[to]).continuation(), model.config().vocabSize())) {
                predicted += sequences.get(order[to++]).continuation();
            }
            List<Integer> rows = Arrays.asList(order).subList(from, to);
            double[][] batch = scoreBatch(rows.stream().map(sequences::get).toList(), longest);
            for (int r = 0; r < batch.length; r++) {
                scores[rows.get(r)] = batch[r];
            }
            from = to;
        }
        return Arrays.asList(scores);
    }

    /** Token ids of one choice and how many of the last ones are the continuation's. */
    private record Sequence(long[] ids, int continuation) {
    }

    private Sequence sequence(Choice choice) {
        int[] context = tokenizer.encode(choice.context(), false);
        int[] whole = tokenizer.encode(choice.context() + choice.continuation(), false);
        int split = Math.min(context.length, whole.length - 1);
        long[] ids = new long[whole.length + (bos >= 0 ? 1 : 0)];
        int offset = 0;
        if (bos >= 0) {
            ids[offset++] = bos;
        }
        for (int id : whole) {
            ids[offset++] = id;
        }
        int limit = model.config().maxPositions();
        if (ids.length > limit) {
            ids = Arrays.copyOfRange(ids, ids.length - limit, ids.length);
        }
        return new Sequence(ids, Math.min(whole.length - split, ids.length - 1));
    }

    /** One padded forward over {@code batch}; only the positions that predict continuation tokens reach the head. */
    private double[][] scoreBatch(List<Sequence> batch, int length) {
        long[] ids = new long[batch.size() * length];
        int predicted = batch.stream().mapToInt(Sequence::continuation).sum();
        long[] positions = new long[predicted];
        long[] targets = new long[predicted];
        int k = 0;
        for (int r = 0; r < batch.size(); r++) {
            Sequence s = batch.get(r);
            System.arraycopy(s.ids(), 0, ids, r * length, s.ids().length);
            // Logits at position t predict token t+1: the continuation's predictions are the last ones.
            for (int t = s.ids().length - 1 - s.continuation(); t < s.ids().length - 1; t++) {
                positions[k] = (long) r * length + t;
                targets[k++] = s.ids()[t + 1];
            }
        }
        double[] logProb;
        double[] hit;
        try (PointerScope scope = new PointerScope()) {
            Tensor input = Tensors.longs(ids, batch.size(), length).to(model.device(), ScalarType.Long);
            Tensor h = model.hidden(input);
            Tensor selected = h.view(-1, h.size(2)).index_select(0, Tensors.longs(positions, predicted)
                    .to(model.device(), ScalarType.Long));
            Tensor logProbs = torch.log_softmax(model.head(selected), 1);
            Tensor expected = Tensors.longs(targets, predicted, 1).to(model.device(), ScalarType.Long);
            logProb = Tensors.toDoubles(logProbs.gather(1, expected));
            hit = Tensors.toDoubles(logProbs.argmax(new LongOptional(1), true).eq(expected));
        }
        double[][] out = new double[batch.size()][];
        k = 0;
        for (int r = 0; r < batch.size(); r++) {
            double sum = 0;
            boolean greedy = true;
            for (int j = 0; j < batch.get(r).continuation(); j++, k++) {
                sum += logProb[k];
                greedy &= hit[k] != 0;
            }
            out[r] = new double[] {sum, greedy ? 1 : 0};
        }
        return out;
    }

    private static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
