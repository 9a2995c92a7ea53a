package io.rotquant.compiler.model;

import static io.rotquant.compiler.recipe.RecipeParameter.DTYPE;

import io.rotquant.compiler.EnumFlags;
import io.rotquant.compiler.torch.Torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The {@code --dtype} of the forward pass: fp32, bf16, or tf32 (the default): fp32 tensors whose
 * GPTQ calibration statistics (forward passes and Hessians) use a GPU's TF32 tensor cores, which
 * is fp32 on the CPU. TF32 keeps fp32's range and 10 of its 23 mantissa bits in the products and
 * accumulates in fp32: more than the fp16 forward passes the reference GPTQ and QuaRot code
 * calibrates with, and on an H200 about twice as fast as fp32 (site page "Compiling on a GPU").
 */
public enum ComputeDType {
    FP32(ScalarType.Float), BF16(ScalarType.BFloat16), TF32(ScalarType.Float);

    private final ScalarType scalarType;

    ComputeDType(ScalarType scalarType) {
        this.scalarType = scalarType;
    }

    public ScalarType scalarType() {
        return scalarType;
    }

    public String label() {
        return EnumFlags.label(this);
    }

    /** What this process computes in: tf32 without a card is fp32. LibTorch must be set up. */
    public ComputeDType effective() {
        return this == TF32 && Torch.card() == null ? FP32 : this;
    }

    public static ComputeDType parse(String value) {
        return EnumFlags.parse(DTYPE.named(), value, ComputeDType.class);
    }
}
