package io.rotquant.compiler.model;

import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.torch.Tensors;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Half-split ("rotate_half") rotary embeddings as Hugging Face applies them: angles in fp32,
 * {@code cos}/{@code sin} over the duplicated half, cast to the activation dtype.
 */
final class Rope {
    private final float[] inverseFrequencies;
    private final int headDim;

    Rope(ModelConfig config) {
        this.headDim = config.headDim();
        double[] inv = config.rope().inverseFrequencies(headDim);
        this.inverseFrequencies = new float[inv.length];
        for (int i = 0; i < inv.length; i++) {
            inverseFrequencies[i] = (float) inv[i];
        }
    }

    /** cos and sin tables of shape [T, headDim] for positions 0..T-1. */
    Tensor[] tables(long length, ScalarType dtype, Device device) {
        Tensor inv = org.bytedeco.pytorch.AbstractTensor.create(inverseFrequencies).to(device, ScalarType.Float);
        Tensor positions = torch.arange(Tensors.scalar(length)).to(device, ScalarType.Float);
        Tensor angles = torch.outer(positions, inv);
        Tensor full = torch.cat(new TensorVector(angles, angles), 1);
        return new Tensor[] {full.cos().to(dtype), full.sin().to(dtype)};
    }

    /** Applies RoPE to x of shape [B, heads, T, headDim]. */
    Tensor apply(Tensor x, Tensor cos, Tensor sin) {
        long half = headDim / 2;
        Tensor first = x.narrow(3, 0, half);
        Tensor second = x.narrow(3, half, half);
        Tensor rotated = torch.cat(new TensorVector(second.neg(), first), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
