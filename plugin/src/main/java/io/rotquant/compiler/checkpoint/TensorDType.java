package io.rotquant.compiler.checkpoint;

import org.bytedeco.pytorch.global.torch.ScalarType;

/** The safetensors element types a checkpoint may use. */
public enum TensorDType {
    F32(4, ScalarType.Float),
    F16(2, ScalarType.Half),
    BF16(2, ScalarType.BFloat16);

    private final int bytes;
    private final ScalarType scalarType;

    TensorDType(int bytes, ScalarType scalarType) {
        this.bytes = bytes;
        this.scalarType = scalarType;
    }

    public int bytes() {
        return bytes;
    }

    public ScalarType scalarType() {
        return scalarType;
    }
}
