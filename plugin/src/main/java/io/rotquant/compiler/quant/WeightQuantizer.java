package io.rotquant.compiler.quant;

import static io.rotquant.compiler.recipe.RecipeParameter.W_BITS;
import static io.rotquant.compiler.recipe.RecipeParameter.W_GROUP;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.torch.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Symmetric weight quantization per output channel, or per (row, group of {@code group} input
 * columns), with the optional MSE clip search of specification.md §5.2: 80 shrink factors
 * p = 1.00, 0.99, … 0.21 of the max-abs scale, error Σ|ŵ − w|^2.4, the first (largest) p among
 * equal errors wins. Rounding is half-to-even.
 */
public final class WeightQuantizer {
    private static final int GRID = 100;
    private static final double MAX_SHRINK = 0.8;
    private static final double NORM = 2.4;

    private final int bits;
    private final int group;
    private final boolean mseClip;

    /** {@code group} 0 means one scale per row. */
    public WeightQuantizer(int bits, int group, boolean mseClip) {
        this.bits = Bits.check(W_BITS.named(), bits);
        if (group < 0) {
            throw new InvalidInputException(W_GROUP.named() + " must be 0 (per channel) or positive, got " + group);
        }
        this.group = group;
        this.mseClip = mseClip;
    }

    public int bits() {
        return bits;
    }

    public int group() {
        return group;
    }

    private double maxq() {
        return (1 << (bits - 1)) - 1;
    }

    /**
     * Scales for each row along the last axis of w (fp32), with a trailing axis of 1. Each step of
     * the clip search frees its temporaries before the next (80 steps of full-size tensors would
     * otherwise pile up in the caller's scope: gigabytes at 1B shapes).
     */
    public Tensor scales(Tensor w) {
        Tensor maxAbs = w.abs().amax(new long[] {-1}, true).clamp_min(Tensors.scalar(1e-5));
        if (!mseClip) {
            return maxAbs.div(Tensors.scalar(maxq()));
        }
        Tensor bestError = null;
        Tensor bestScale = null;
        for (int i = 0; i < (int) (MAX_SHRINK * GRID); i++) {
            try (PointerScope step = new PointerScope()) {
                Tensor candidate = maxAbs.mul(Tensors.scalar((1.0 - (double) i / GRID) / maxq()));
                // One full-size allocation per step, the rest in place: this loop dominates RTN's time.
                Tensor deviation = w.div(candidate);
                deviation.round_();
                deviation.clamp_(new ScalarOptional(Tensors.scalar(-maxq() - 1)), new ScalarOptional(Tensors.scalar(maxq())));
                deviation.mul_(candidate);
                deviation.sub_(w);
                deviation.abs_();
                deviation.pow_(Tensors.scalar(NORM));
                Tensor error = deviation.sum(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
                Tensor nextError = error;
                Tensor nextScale = candidate;
                if (bestError != null) {
                    Tensor better = error.lt(bestError);
                    nextError = error.where(better, bestError);
                    nextScale = candidate.where(better, bestScale);
                    bestError.releaseReference();
                    bestScale.releaseReference();
                }
                bestError = nextError;
                bestScale = nextScale;
                bestError.retainReference();
                bestScale.retainReference();
            }
        }
        bestError.releaseReference();
        PointerScope caller = PointerScope.getInnerScope();
        if (caller != null) {
            caller.attach(bestScale);
            bestScale.releaseReference();
        }
        return bestScale;
    }

    /** The fake-quantized weight (same shape and dtype as {@code weight}). */
    public Tensor fakeQuantize(Tensor weight) {
        if (!Bits.quantized(bits)) {
            return weight;
        }
        return quantize(weight).dequantize(weight.scalar_type());
    }

    /** Codes and scales of a [out, in] weight (bits 2..8). */
    public QuantizedWeight quantize(Tensor weight) {
        long out = weight.size(0);
        long in = weight.size(1);
        Tensor w = grouped(weight.to(ScalarType.Float));
        Tensor scale = scales(w);
        return new QuantizedWeight(codes(w, scale).to(ScalarType.Char).view(out, in), scale.view(out, -1), null, bits);
    }

    /** The smallest code, −2^(bits−1). */
    public double lowestCode() {
        return -maxq() - 1;
    }

    /** The largest code, 2^(bits−1) − 1. */
    public double highestCode() {
        return maxq();
    }

    /** Round-to-nearest-even onto [−(maxq+1), maxq]·scale. */
    public Tensor dequantize(Tensor w, Tensor scale) {
        return codes(w, scale).mul(scale);
    }

    /** The integer codes (as floats) of w under scale: round-to-nearest-even, clamped to [−(maxq+1), maxq]. */
    public Tensor codes(Tensor w, Tensor scale) {
        return w.div(scale).round().clamp(new ScalarOptional(Tensors.scalar(lowestCode())),
                new ScalarOptional(Tensors.scalar(highestCode())));
    }

    private Tensor grouped(Tensor weight) {
        if (group == 0) {
            return weight;
        }
        long in = weight.size(1);
        if (in % group != 0) {
            throw new InvalidInputException(W_GROUP.named() + " " + group + " does not divide the input dimension " + in);
        }
        return weight.view(weight.size(0), in / group, group);
    }
}
