package io.rotquant.compiler.rotation;

import static io.rotquant.compiler.recipe.RecipeParameter.ROTATION;

import io.rotquant.compiler.EnumFlags;

/**
 * The {@code --rotation} choice for the residual rotation R1. Every kind but {@code none} also
 * fuses the norms and applies R2 (per layer, randomized Hadamard per head on V/O) and the online
 * Hadamard rotations R3 and R4; {@code identity} isolates that machinery with R1 = I.
 * {@code spinquant} learns R1 and the per-layer R2 (Cayley SGD from the {@code hadamard} start);
 * {@code duarot} learns R1 = R_G·R_L (global times block-diagonal local) and one R2 per KV head;
 * {@code dfrot} refines R1 from the same start by weighted Procrustes on calibration activations.
 */
public enum RotationKind {
    NONE, IDENTITY, HADAMARD, ORTHOGONAL, SPINQUANT, DUAROT, DFROT;

    /** Whether the rotations are trained on calibration data rather than drawn. */
    public boolean learned() {
        return this == SPINQUANT || this == DUAROT || this == DFROT;
    }

    /**
     * Whether training sees the recipe's activation and KV quantizers, so that rotations learned
     * for one setting do not serve another (DFRot's objective fixes its own 4-bit quantizer).
     */
    public boolean trainedForQuantizers() {
        return this == SPINQUANT || this == DUAROT;
    }

    public static RotationKind parse(String value) {
        return EnumFlags.parse(ROTATION.named(), value, RotationKind.class);
    }

    public String label() {
        return EnumFlags.label(this);
    }
}
