package io.rotquant.compiler.pipeline;

import static io.rotquant.compiler.recipe.RecipeParameter.DEVICE;
import static io.rotquant.compiler.recipe.RecipeParameter.NSAMPLES;
import static io.rotquant.compiler.recipe.RecipeParameter.SEQLEN;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.torch.CudaCard;
import io.rotquant.compiler.torch.Torch;
import java.util.Locale;

/**
 * What layer-sequential GPTQ holds on a GPU besides the model, checked against the card's free
 * memory before the first layer: the residual stream of every calibration window, one layer's
 * weights in fp32 with a dequantized copy, the largest Hessian with the solve's copies of it, one
 * window's attention scores, and the int8 codes of every layer, which stay on the card. A compile
 * that cannot fit fails here, in one line, rather than at layer 20 with an allocator trace.
 */
final class CalibrationMemory {
    /** Copies of the largest Hessian alive in a solve: H, its Cholesky factor, the inverse, the upper factor. */
    private static final int HESSIAN_COPIES = 4;
    /** Headroom for LibTorch's caching allocator and small temporaries. */
    private static final double SLACK = 1.15;

    private CalibrationMemory() {
    }

    /** Bytes GPTQ needs on the device for {@code windows} windows of {@code seqlen} tokens. */
    static long needed(ModelConfig c, int windows, int seqlen) {
        long hidden = c.hiddenSize();
        long inter = c.intermediateSize();
        long residuals = 4L * windows * seqlen * hidden;
        long layerParams = hidden * c.qDim() * 2 + 2L * hidden * c.kvDim() + 3 * hidden * inter;
        long layer = 4L * layerParams;
        long codes = (long) c.numLayers() * layerParams;
        long hessian = 4L * HESSIAN_COPIES * Math.max(inter, hidden) * Math.max(inter, hidden);
        long attention = 4L * c.numHeads() * seqlen * seqlen;
        long stacked = 4L * 2 * 2 * inter * hidden;  // gate and up stacked, and their working copy
        return (long) (SLACK * (residuals + 2 * layer + hessian + attention + stacked + codes));
    }

    /**
     * Whether every window's o_proj or down_proj input (one kind at a time) fits beside
     * {@link #needed} on the card. On the CPU the build machine's memory is not the compiler's to
     * take, so GPTQ there runs each half-layer again instead.
     */
    static boolean keepsLinearInputs(ModelConfig c, int windows, int seqlen) {
        CudaCard card = Torch.card();
        if (card == null) {
            return false;
        }
        long kept = 4L * windows * seqlen * Math.max(c.qDim(), c.intermediateSize());
        return needed(c, windows, seqlen) + (long) (SLACK * kept) <= card.freeBytes();
    }

    /** Fails in one line when the card has less free memory than {@link #needed}. No-op on the CPU. */
    static void check(ModelConfig c, int windows, int seqlen) {
        CudaCard card = Torch.card();
        if (card == null) {
            return;
        }
        long need = needed(c, windows, seqlen);
        long free = card.freeBytes();
        if (need > free) {
            throw new InvalidInputException(DEVICE.named() + String.format(Locale.ROOT, " %s: GPTQ needs about %.1f GB on the "
                    + "card (%d calibration windows of %d tokens, one layer and its Hessians) but %.1f GB are free; "
                    + "lower " + NSAMPLES.named() + " or " + SEQLEN.named() + ", or use a card with more memory", Torch.deviceName(), need / 1e9,
                    windows, seqlen, free / 1e9));
        }
    }
}
