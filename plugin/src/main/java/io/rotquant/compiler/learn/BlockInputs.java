package io.rotquant.compiler.learn;

import io.rotquant.compiler.model.LinearGroup;
import io.rotquant.compiler.model.LlamaModel;
import io.rotquant.compiler.torch.NativeScope;
import io.rotquant.compiler.torch.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The normalised inputs of every attention and MLP block (the outputs of each layer's two RMSNorms,
 * the final norm excluded) on one calibration window of the unrotated fused model: DFRot's
 * calibration activations (specification.md §9.2), stacked as [2·layers·tokens, d] in float64.
 */
final class BlockInputs {
    private BlockInputs() {
    }

    static Tensor collect(LlamaModel fused, long[] window) {
        long d = fused.config().hiddenSize();
        List<Tensor> rows = new ArrayList<>();
        try {
            try (PointerScope scope = new PointerScope()) {
                Tensor ids = Tensors.longs(window, 1, window.length).to(fused.device(), ScalarType.Long);
                Tensor[] cosSin = fused.ropeTables(window.length);
                Tensor h = fused.embed(ids);
                for (int l = 0; l < fused.config().numLayers(); l++) {
                    h = fused.layer(l, h, cosSin, (group, input) -> {
                        if (group == LinearGroup.QKV || group == LinearGroup.GATE_UP) {
                            rows.add(NativeScope.owned(() -> input.reshape(-1, d).to(ScalarType.Double)));
                        }
                        return true;
                    });
                }
            }
            return torch.cat(new TensorVector(rows.toArray(Tensor[]::new)), 0);
        } finally {
            rows.forEach(Tensor::releaseReference);
        }
    }
}
