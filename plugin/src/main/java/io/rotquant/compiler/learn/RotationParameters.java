package io.rotquant.compiler.learn;

import io.rotquant.compiler.model.OnlineRotations;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A learned method's trainable matrices (each square and orthogonal, so Cayley SGD applies to each)
 * and how they make R1 and the per-layer R2. The products must be differentiable tensor algebra in
 * float64: training takes gradients through them.
 */
public interface RotationParameters {
    /** The method's name in progress lines. */
    String name();

    /** The starting matrices, float64 (in the caller's scope). */
    List<Tensor> initial();

    /** R1 [d, d] in float64 from the matrices. */
    Tensor r1(List<Tensor> matrices);

    /** Layer {@code layer}'s R2 in float64: [d_h, d_h], or [kv heads, d_h, d_h] for one per KV head. */
    Tensor r2(List<Tensor> matrices, int layer);

    /** R3 and R4 (fixed transforms, or built from the matrices); R4 also rotates down_proj's input side. */
    OnlineRotations online(List<Tensor> matrices);
}
