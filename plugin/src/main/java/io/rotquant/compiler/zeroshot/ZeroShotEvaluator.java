package io.rotquant.compiler.zeroshot;

import io.rotquant.compiler.Cancellation;
import io.rotquant.compiler.model.LlamaModel;
import io.rotquant.compiler.torch.Tensors;
import io.rotquant.runtime.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Scores questions with a model. Each choice is one sequence: BOS, the context's tokens, then the
 * continuation's tokens taken from the encoding of context + continuation (so a token spanning the
 * boundary belongs to the continuation, as lm-evaluation-harness splits it). Sequences longer than
 * the model's context keep their last tokens.
 */
public final class ZeroShotEvaluator {
    private final LlamaModel model;
    private final Tokenizer tokenizer;
    private final int bos;

    public ZeroShotEvaluator(LlamaModel model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.bos = model.config().bosTokenId();
    }

    public TaskResult evaluate(ZeroShotTask task, List<Question> questions) {
        long start = System.nanoTime();
        int correct = 0;
        int correctNorm = 0;
        for (Question question : questions) {
            Cancellation.checkpoint();
            double[] logLikelihood = new double[question.choices().size()];
            double[] normalized = new double[logLikelihood.length];
            boolean greedyHit = false;
            for (int c = 0; c < logLikelihood.length; c++) {
                Choice choice = question.choices().get(c);
                double[] score = score(choice);
                logLikelihood[c] = score[0];
                normalized[c] = score[0] / Math.max(1, choice.length());
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
        int[] context = tokenizer.encode(choice.context(), false);
        int[] whole = tokenizer.encode(choice.context() + choice.continuation(), false);
        int split = Math.min(context.length, whole.length - 1);
        int continuationLength = whole.length - split;
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
        int length = ids.length;
        try (PointerScope scope = new PointerScope()) {
            Tensor input = Tensors.longs(ids, 1, length).to(model.device(), ScalarType.Long);
            // Logits at position t predict token t+1: the continuation's predictions are the last ones.
            Tensor logits = model.logits(input).narrow(1, length - 1 - continuationLength, continuationLength);
            Tensor logProbs = torch.log_softmax(logits, 2);
            Tensor targets = input.narrow(1, length - continuationLength, continuationLength);
            double sum = logProbs.gather(2, targets.unsqueeze(2)).to(ScalarType.Double).sum().item_double();
            boolean greedy = logProbs.argmax(new org.bytedeco.pytorch.LongOptional(2), false).eq(targets).all().item_double() != 0;
            return new double[] {sum, greedy ? 1 : 0};
        }
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
