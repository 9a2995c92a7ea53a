package io.rotquant.compiler.quant;

import static io.rotquant.compiler.recipe.RecipeParameter.W_BITS;
import static io.rotquant.compiler.recipe.RecipeParameter.W_GROUP;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.torch.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
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
    /** A CPU slab of the clip search: a few MB, in the last-level cache of the machines measured. */
    private static final long SLAB_BYTES = 4L << 20;
    private static final long MIN_SLAB_ROWS = 16;

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
     * Scales for each row along the last axis of w (fp32), with a trailing axis of 1. On a CPU the
     * clip search runs over slabs of rows that stay in cache (its 80 steps of eight passes are
     * memory-bound over a whole weight); on a GPU over the whole weight at once, where each pass is
     * one launch. Every row's figures are the same either way (see {@link #scales(Tensor, long)}).
     */
    public Tensor scales(Tensor w) {
        return scales(w, w.is_cuda() ? Long.MAX_VALUE : SLAB_BYTES);
    }

    /**
     * The clip search over slabs of at most {@code slabBytes} (and at least {@value #MIN_SLAB_ROWS}
     * rows, so that each reduction has several rows: LibTorch splits a reduction to one output across
     * threads). The arithmetic is elementwise and each row's error is summed alone, so the slab size
     * does not change a row's scale.
     */
    Tensor scales(Tensor w, long slabBytes) {
        Tensor maxAbs = w.abs().amax(new long[] {-1}, true).clamp_min(Tensors.scalar(1e-5));
        if (!mseClip) {
            return maxAbs.div(Tensors.scalar(maxq()));
        }
        long width = w.size(-1);
        Tensor rows = w.reshape(-1, width);
        Tensor rowMax = maxAbs.reshape(-1, 1);
        long count = rows.size(0);
        long slab = Math.max(MIN_SLAB_ROWS, slabBytes / (4 * width));
        if (slab >= count) {
            return search(rows, rowMax).view(maxAbs.sizes());
        }
        Tensor best = torch.empty_like(rowMax);
        for (long start = 0; start < count; start += slab) {
            try (PointerScope step = new PointerScope()) {
                long length = Math.min(slab, count - start);
                best.narrow(0, start, length).copy_(search(rows.narrow(0, start, length), rowMax.narrow(0, start, length)));
            }
        }
        return best.view(maxAbs.sizes());
    }

    /**
     * The best of the 80 shrunk scales for each row of {@code rows} [n, width]; {@code rowMax} [n, 1]
     * is each row's max-abs. Each step frees its temporaries before the next.
     */
    private Tensor search(Tensor rows, Tensor rowMax) {
        Tensor bestError = null;
        Tensor bestScale = null;
        try (PointerScope search = new PointerScope()) {
            // One buffer for every step's deviation, the rest in place: this loop dominates RTN's time.
            Tensor deviation = torch.empty_like(rows);
            for (int i = 0; i < (int) (MAX_SHRINK * GRID); i++) {
                try (PointerScope step = new PointerScope()) {
                    Tensor candidate = rowMax.mul(Tensors.scalar((1.0 - (double) i / GRID) / maxq()));
                    torch.div_out(deviation, rows, candidate);
                    deviation.round_();
                    deviation.clamp_(new ScalarOptional(Tensors.scalar(-maxq() - 1)), new ScalarOptional(Tensors.scalar(maxq())));
                    deviation.mul_(candidate);
                    deviation.sub_(rows);
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
        Tensor w = grouped(weight.to(ScalarType.Float));
        return quantized(weight, w, scales(w));
    }

    /** The clip-searched scales of a [out, in] weight (bits 2..8), as {@link #fakeQuantize(Tensor, Tensor)} takes them. */
    public Tensor weightScales(Tensor weight) {
        return scales(grouped(weight.to(ScalarType.Float)));
    }

    /**
     * {@code weight} fake-quantized under scales {@link #weightScales} gave for it: the same tensor as
     * {@link #fakeQuantize(Tensor)}, without the clip search, where the same weight is made again.
     */
    public Tensor fakeQuantize(Tensor weight, Tensor scale) {
        return quantized(weight, grouped(weight.to(ScalarType.Float)), scale).dequantize(weight.scalar_type());
    }

    private QuantizedWeight quantized(Tensor weight, Tensor grouped, Tensor scale) {
        long out = weight.size(0);
        return new QuantizedWeight(codes(grouped, scale).to(ScalarType.Char).view(out, weight.size(1)), scale.view(out, -1),
                null, bits);
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
