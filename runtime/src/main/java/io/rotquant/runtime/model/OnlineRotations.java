package io.rotquant.runtime.model;

import io.rotquant.runtime.artifact.Artifact;
import io.rotquant.runtime.artifact.ArtifactFormat;
import io.rotquant.runtime.artifact.RotationPlan;
import io.rotquant.runtime.safetensors.SafetensorsFile;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The artifact's online rotations resolved per layer, at load: R3 per layer and KV head, R4 per layer.
 * A Walsh–Hadamard rotation is the same in every layer (its small had_K is read once per layer);
 * trained matrices are copied out of the mapped file.
 */
final class OnlineRotations {

    private final VectorRotation[][] r3;
    private final VectorRotation[][] r4;

    private OnlineRotations(VectorRotation[][] r3, VectorRotation[][] r4) {
        this.r3 = r3;
        this.r4 = r4;
    }

    static OnlineRotations load(Artifact artifact, Kernels kernels) {
        int layers = artifact.model().numLayers();
        RotationPlan plan = artifact.plan();
        return new OnlineRotations(resolve(artifact, kernels, "r3", plan.r3(), layers, artifact.model().numKvHeads()),
                resolve(artifact, kernels, "r4", plan.r4(), layers, 1));
    }

    /** [layer][head group] rotations of a plan entry, or null when the plan has none. */
    private static VectorRotation[][] resolve(Artifact artifact, Kernels kernels, String name, RotationPlan.Online online,
            int layers, int groups) {
        if (online == null) {
            return null;
        }
        VectorRotation[][] resolved = new VectorRotation[layers][];
        for (int l = 0; l < layers; l++) {
            resolved[l] = perLayer(artifact, kernels, name, online, l);
            if (resolved[l].length == 1 && groups > 1) {
                VectorRotation one = resolved[l][0];
                resolved[l] = new VectorRotation[groups];
                Arrays.fill(resolved[l], one);
            }
        }
        return resolved;
    }

    private static VectorRotation[] perLayer(Artifact artifact, Kernels kernels, String name, RotationPlan.Online online,
            int layer) {
        return switch (online) {
            case RotationPlan.Wht wht -> new VectorRotation[] {wht(artifact, kernels, name, wht)};
            case RotationPlan.Matmul matmul -> {
                float[] matrices = artifact.tensor(ArtifactFormat.layerRotation(layer, name)).toArray(SafetensorsFile.F32);
                VectorRotation[] heads = new VectorRotation[matmul.heads()];
                int n = matmul.size();
                for (int h = 0; h < heads.length; h++) {
                    heads[h] = new DenseRotation(n, matrices, h * n * n, kernels);
                }
                yield heads;
            }
            case RotationPlan.Kronecker k -> new VectorRotation[] {new KroneckerRotation(
                    perLayer(artifact, kernels, name + ".a", k.a(), layer)[0],
                    perLayer(artifact, kernels, name + ".b", k.b(), layer)[0])};
        };
    }

    private static VectorRotation wht(Artifact artifact, Kernels kernels, String name, RotationPlan.Wht wht) {
        byte[] hadamard = wht.factor() > 1 ? artifact.tensor(ArtifactFormat.rotation(name)).toArray(ValueLayout.JAVA_BYTE)
                : null;
        return VectorRotation.walshHadamard(wht.size(), hadamard, kernels);
    }

    /** R3 of a layer for the heads that read KV head {@code kvHead}, or null when not applied. */
    VectorRotation r3(int layer, int kvHead) {
        return r3 == null ? null : r3[layer][kvHead];
    }

    /** R4 of a layer, or null when not applied. */
    VectorRotation r4(int layer) {
        return r4 == null ? null : r4[layer][0];
    }

    boolean hasR3() {
        return r3 != null;
    }

    boolean hasR4() {
        return r4 != null;
    }
}
