package io.rotquant.compiler.eval;

import io.rotquant.compiler.Cancellation;
import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.distributed.RankGroup;
import io.rotquant.compiler.model.LlamaModel;
import io.rotquant.compiler.torch.Tensors;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The project's perplexity protocol: the token stream of the whole text cut into non-overlapping
 * windows of {@code seqlen} tokens (the tail dropped), each run from position 0 with no carried
 * context, PPL = exp(mean next-token NLL over all windows), log-softmax in fp32.
 */
public final class Perplexity {
    private Perplexity() {
    }

    /** The number of full windows the token stream holds. */
    public static int availableWindows(int tokens, int seqlen) {
        return tokens / seqlen;
    }

    /**
     * Evaluates the first {@code maxWindows} windows (all when 0); {@code progress} hears each
     * finished window's index.
     */
    public static PerplexityResult evaluate(LlamaModel model, int[] tokens, int seqlen, int maxWindows,
            IntConsumer progress) {
        model.config().checkWindow(seqlen);
        int available = availableWindows(tokens.length, seqlen);
        if (available == 0) {
            throw new InvalidInputException("the text has " + tokens.length + " tokens, fewer than one window of " + seqlen);
        }
        int windows = maxWindows > 0 ? Math.min(maxWindows, available) : available;
        long start = System.nanoTime();
        // In a job of several ranks each evaluates every size-th window; the others' entries stay 0,
        // so the sum over ranks gives each window's NLL exactly, and the total is summed in window order.
        RankGroup ranks = RankGroup.current();
        double[] nll = new double[windows];
        for (int w = ranks.rank(); w < windows; w += ranks.size()) {
            Cancellation.checkpoint();
            long[] ids = new long[seqlen];
            for (int t = 0; t < seqlen; t++) {
                ids[t] = tokens[w * seqlen + t];
            }
            try (PointerScope scope = new PointerScope()) {
                nll[w] = windowNll(model, ids);
            }
            progress.accept(w);
        }
        if (!ranks.single()) {
            try (PointerScope scope = new PointerScope()) {
                Tensor joined = Tensors.doubles(nll, windows).to(model.device(), ScalarType.Double);
                ranks.allReduceSum(joined);
                nll = Tensors.toDoubles(joined.cpu());
            }
        }
        double totalNll = 0;
        for (double n : nll) {
            totalNll += n;
        }
        long predicted = (long) windows * (seqlen - 1);
        return new PerplexityResult(Math.exp(totalNll / predicted), windows, predicted,
                (System.nanoTime() - start) / 1e9);
    }

    /** Summed NLL of tokens 1..L-1 given their prefixes. */
    static double windowNll(LlamaModel model, long[] ids) {
        int length = ids.length;
        Tensor input = Tensors.longs(ids, 1, length).to(model.device(), ScalarType.Long);
        Tensor logits = model.logits(input).narrow(1, 0, length - 1);
        Tensor targets = input.narrow(1, 1, length - 1).unsqueeze(2);
        Tensor logProbs = torch.log_softmax(logits, 2);
        return -logProbs.gather(2, targets).to(ScalarType.Double).sum().item_double();
    }
}
