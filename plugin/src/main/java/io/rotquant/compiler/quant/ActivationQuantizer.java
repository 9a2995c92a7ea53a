package io.rotquant.compiler.quant;

import io.rotquant.compiler.torch.Tensors;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Dynamic asymmetric quantization over the last axis (one scale and zero point per token, or per
 * token and head when the caller puts heads in front), recomputed from every tensor
 * (specification.md §5.3, §5.4): range [min, max]·clip, {@code s = (max − min)/(2^b − 1)},
 * {@code z = round(−min/s)}, codes clamped to [0, 2^b − 1]. With {@code includeZero} the range is
 * widened to contain 0 first (per-token inputs and K); without it (V groups) it is not.
 * Deviation from the reference: s is floored at 1e-8 so a constant group cannot divide by zero.
 */
public final class ActivationQuantizer {
    private static final double MIN_SCALE = 1e-8;

    private final int bits;
    private final double clip;
    private final boolean includeZero;

    public ActivationQuantizer(int bits, double clip, boolean includeZero) {
        this.bits = bits;
        this.clip = clip;
        this.includeZero = includeZero;
    }

    public boolean active() {
        return Bits.quantized(bits);
    }

    /**
     * The fake-quantized tensor (same dtype); identity at 16 bits. Statistics in fp32. When
     * {@code x} carries gradients the straight-through estimator applies (specification.md §5.6): the
     * forward value is quantized, the gradient passes to {@code x} unchanged.
     */
    public Tensor apply(Tensor x) {
        return active() ? Tensors.straightThrough(x, this::quantize) : x;
    }

    private Tensor quantize(Tensor x) {
        Tensor xf = x.to(ScalarType.Float);
        T_TensorTensor_T range = xf.aminmax(new LongOptional(-1), true);
        Tensor min = range.get0();
        Tensor max = range.get1();
        if (includeZero) {
            min = min.clamp_max(Tensors.scalar(0));
            max = max.clamp_min(Tensors.scalar(0));
        }
        min = min.mul(Tensors.scalar(clip));
        max = max.mul(Tensors.scalar(clip));
        Tensor empty = min.eq(Tensors.scalar(0)).logical_and(max.eq(Tensors.scalar(0)));
        min = min.masked_fill(empty, Tensors.scalar(-1));
        max = max.masked_fill(empty, Tensors.scalar(1));
        double maxq = (1 << bits) - 1;
        Tensor scale = max.sub(min).div(Tensors.scalar(maxq)).clamp_min(Tensors.scalar(MIN_SCALE));
        Tensor zero = min.neg().div(scale).round();
        // One full-size allocation, the rest in place: these run on every linear input of every forward.
        Tensor q = xf.div(scale);
        q.round_();
        q.add_(zero);
        q.clamp_(new ScalarOptional(Tensors.scalar(0)), new ScalarOptional(Tensors.scalar(maxq)));
        q.sub_(zero);
        q.mul_(scale);
        return q.to(x.scalar_type());
    }
}
