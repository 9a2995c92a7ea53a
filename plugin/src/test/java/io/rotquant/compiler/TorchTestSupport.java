package io.rotquant.compiler;

import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.compiler.torch.DeviceChoice;
import io.rotquant.compiler.torch.Torch;
import java.nio.file.Path;

/** Opens models for tests on the CPU in fp32 (LibTorch initialised once per JVM). */
public final class TorchTestSupport {
    private TorchTestSupport() {
    }

    public static PreparedModel open(Path model, RotationKind rotation, long seed) {
        return open(model, Recipe.FP.withRotation(rotation, seed));
    }

    public static PreparedModel open(Path model, Recipe recipe) {
        Torch.init(DeviceChoice.CPU, 0, ComputeDType.FP32.scalarType(), line -> { });
        return PreparedModel.open(model, recipe, ComputeDType.FP32, line -> { });
    }
}
