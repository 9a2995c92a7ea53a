package io.rotquant.compiler.model;

import io.rotquant.compiler.EnumFlags;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** The {@code --dtype} of the forward pass: fp32 (default) or bf16. */
public enum ComputeDType {
    FP32(ScalarType.Float), BF16(ScalarType.BFloat16);

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
        return EnumFlags.parse("--dtype", value, ComputeDType.class);
    }
}
