package io.rotquant.compiler.model;

import static io.rotquant.compiler.recipe.RecipeParameter.DTYPE;

import io.rotquant.compiler.EnumFlags;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The {@code --dtype} of the forward pass: fp32 (default), bf16, or tf32: fp32 tensors whose GPTQ
 * calibration statistics (forward passes and Hessians) use a GPU's TF32 tensor cores, faster but
 * further from a CPU-built artifact (on the CPU it is fp32).
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

    public static ComputeDType parse(String value) {
        return EnumFlags.parse(DTYPE.named(), value, ComputeDType.class);
    }
}
