package io.rotquant.compiler.model;

import io.rotquant.compiler.InvalidInputException;
import java.util.Locale;
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
        return name().toLowerCase(Locale.ROOT);
    }

    public static ComputeDType parse(String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--dtype: '" + value + "' is not one of fp32, bf16");
        }
    }
}
