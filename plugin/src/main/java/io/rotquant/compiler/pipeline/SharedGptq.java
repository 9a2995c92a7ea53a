package io.rotquant.compiler.pipeline;

import io.rotquant.compiler.distributed.RankGroup;
import io.rotquant.compiler.quant.Gptq;
import io.rotquant.compiler.quant.QuantizedWeight;
import io.rotquant.compiler.torch.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * GPTQ of a linear group with its solve shared by the ranks of a job: GPTQ never mixes rows (each
 * row's column sweep reads only the common Hessian), so each rank solves a contiguous run of the
 * stacked rows and receives the others' codes and scales by broadcast. Every rank ends with the
 * whole result, as if it had solved alone.
 */
final class SharedGptq {
    private SharedGptq() {
    }

    static List<QuantizedWeight> quantize(Gptq gptq, List<Tensor> weights, Tensor hessian, RankGroup group) {
        Tensor all = Gptq.stack(weights);
        long rows = all.size(0);
        if (group.single() || rows < group.size()) {
            return gptq.quantize(weights, hessian);
        }
        QuantizedWeight own = gptq.quantize(all.narrow(0, group.firstRow(rows, group.rank()),
                group.rowCount(rows, group.rank())), hessian);
        List<Tensor> codes = new ArrayList<>();
        List<Tensor> scales = new ArrayList<>();
        for (int r = 0; r < group.size(); r++) {
            long count = group.rowCount(rows, r);
            Tensor c = r == group.rank() ? own.codes() : empty(own.codes(), count);
            Tensor s = r == group.rank() ? own.scales() : empty(own.scales(), count);
            group.broadcast(c, r);
            group.broadcast(s, r);
            codes.add(c);
            scales.add(s);
        }
        QuantizedWeight stacked = new QuantizedWeight(cat(codes), cat(scales), own.groupIndex(), own.bits());
        return Gptq.unstack(stacked, weights);
    }

    /** A tensor like {@code like} (type, device, columns) with {@code rows} rows, filled by the broadcast. */
    private static Tensor empty(Tensor like, long rows) {
        return Tensors.empty(new long[] {rows, like.size(1)}, like.scalar_type(), like.device());
    }

    private static Tensor cat(List<Tensor> parts) {
        return torch.cat(new TensorVector(parts.toArray(Tensor[]::new)), 0);
    }
}
