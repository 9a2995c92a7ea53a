package io.rotquant.compiler.quant;

import static io.rotquant.compiler.recipe.RecipeParameter.W_GROUP;

import io.rotquant.compiler.torch.NativeScope;
import io.rotquant.compiler.torch.Tensors;
import io.rotquant.compiler.torch.Torch;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * GPTQ for one linear (specification.md §6.3): columns are quantized left to right and each column's
 * rounding error, scaled by the upper Cholesky factor of H⁻¹, is pushed onto the columns not yet
 * quantized, in blocks with a lazy update of the rest. fp32 throughout, as the reference.
 * Deviation: with groups, a group's scales are read from the weight as already updated by the
 * errors of its block (the reference reads a stale copy for groups that start mid-block).
 */
public final class Gptq {
    private final WeightQuantizer quantizer;
    private final GptqOptions options;

    public Gptq(WeightQuantizer quantizer, GptqOptions options) {
        this.quantizer = quantizer;
        this.options = options;
    }

    /**
     * GPTQ of linears that read the same input, so share one Hessian (q, k, v; gate, up): their
     * rows stacked into one solve. Each row's result is the same as alone (the solve mixes columns,
     * never rows), and the column sweep, whose cost is its length, runs once instead of per linear.
     */
    public List<QuantizedWeight> quantize(List<Tensor> weights, Tensor hessian) {
        if (weights.size() == 1) {
            return List.of(quantize(weights.get(0), hessian));
        }
        return unstack(quantize(stack(weights), hessian), weights);
    }

    /** The rows of {@code weights} (linears with one input) stacked into one matrix. */
    public static Tensor stack(List<Tensor> weights) {
        return weights.size() == 1 ? weights.get(0) : torch.cat(new TensorVector(weights.toArray(Tensor[]::new)), 0);
    }

    /** The result of a stacked solve cut back into one result per linear of {@code weights}. */
    public static List<QuantizedWeight> unstack(QuantizedWeight all, List<Tensor> weights) {
        if (weights.size() == 1) {
            return List.of(all);
        }
        List<QuantizedWeight> parts = new ArrayList<>();
        long row = 0;
        for (Tensor w : weights) {
            long rows = w.size(0);
            parts.add(new QuantizedWeight(all.codes().narrow(0, row, rows).clone(),
                    all.scales().narrow(0, row, rows).clone(), all.groupIndex(), all.bits()));
            row += rows;
        }
        return parts;
    }

    /**
     * The upper Cholesky factor of H⁻¹ for the damped H, the same bits whatever the CPU's thread
     * count (factorized on one OpenBLAS thread: {@link Torch#oneBlasThread}).
     */
    static Tensor inverseCholesky(Tensor damped) {
        return Torch.oneBlasThread(() -> NativeScope.keep(() -> torch.linalg_cholesky(
                torch.cholesky_inverse(torch.linalg_cholesky(damped)), true)));
    }

    /** Codes and scales for W [out, in] given H [in, in] = 2/N Σ x xᵀ. */
    public QuantizedWeight quantize(Tensor weight, Tensor hessian) {
        Tensor w = weight.to(ScalarType.Float).clone();
        Tensor h = hessian.to(ScalarType.Float).clone();
        long cols = w.size(1);
        int group = quantizer.group();
        if (group > 0 && cols % group != 0) {
            throw new io.rotquant.compiler.InvalidInputException(W_GROUP.named() + " " + group
                    + " does not divide the input dimension " + cols);
        }

        // In place where the reference adds matrices: at 1B shapes each n×n temporary is 256 MB.
        Tensor dead = torch.diagonal(h, 0, 0, 1).eq(Tensors.scalar(0));
        torch.diagonal(h, 0, 0, 1).masked_fill_(dead, Tensors.scalar(1));
        w = w.masked_fill(dead.unsqueeze(0), Tensors.scalar(0));

        // Scales in the order they are made: static groups in natural column order, dynamic ones in sweep order.
        List<Tensor> groupScales = new ArrayList<>();
        if (group > 0 && options.staticGroups()) {
            for (int g = 0; g < cols / group; g++) {
                Tensor slab = w.narrow(1, (long) g * group, group);
                groupScales.add(Torch.elementwise(() -> quantizer.scales(slab)));
            }
        }
        Tensor perm = null;
        if (options.actOrder()) {
            perm = torch.diagonal(h, 0, 0, 1).argsort(0, true);
            w = w.index_select(1, perm);
            Tensor order = perm;
            Tensor unpermuted = h;
            h = NativeScope.keep(() -> unpermuted.index_select(0, order).index_select(1, order));
        }
        long[] permutation = perm == null ? null : longs(perm);

        Tensor diagonal = torch.diagonal(h, 0, 0, 1);
        diagonal.add_(Tensors.scalar(options.damp() * diagonal.mean().item_double()));
        Tensor upper = inverseCholesky(h);

        Tensor full = w;
        Tensor scale = group > 0 ? null : Torch.elementwise(() -> quantizer.scales(full));
        Tensor codes = torch.zeros_like(w);
        // The per-column step is a handful of small kernels, so on a GPU its cost is the number of
        // calls: codes are written in place into their column, and each column of the block turns
        // into its own scaled rounding error (the reference keeps a separate error matrix).
        // On a GPU one kernel sweeps a block, when every column's scale is known before the sweep.
        GptqBlockKernel kernel = w.is_cuda() && (group == 0 || options.staticGroups())
                && GptqBlockKernel.fits(options.blockSize()) ? GptqBlockKernel.forCard(Torch.card()) : null;
        Tensor scaleByColumn = kernel != null && group > 0 ? columnScales(groupScales, permutation, cols, group) : null;
        ScalarOptional lowest = new ScalarOptional(Tensors.scalar(quantizer.lowestCode()));
        ScalarOptional highest = new ScalarOptional(Tensors.scalar(quantizer.highestCode()));
        Scalar minusOne = Tensors.scalar(-1);
        for (long start = 0; start < cols; start += options.blockSize()) {
            long count = Math.min(options.blockSize(), cols - start);
            // Scales made in this block outlive it (dynamic groups); everything else is freed with it.
            List<Tensor> newScales = new ArrayList<>();
            try (PointerScope blockScope = new PointerScope()) {
                Tensor u = upper.narrow(0, start, count).narrow(1, start, count);
                Tensor block;
                if (kernel != null) {
                    Tensor blockT = w.narrow(1, start, count).t().contiguous();
                    Tensor blockCodes = kernel.sweep(blockT, u, scaleByColumn == null ? scale
                            : scaleByColumn.narrow(0, start, count), quantizer.lowestCode(), quantizer.highestCode());
                    codes.narrow(1, start, count).copy_(blockCodes.t());
                    block = blockT.t();
                } else {
                    block = w.narrow(1, start, count).clone();
                    Tensor pivots = torch.diagonal(u, 0, 0, 1).unsqueeze(0).clone();
                    for (long i = 0; i < count; i++) {
                        long col = start + i;
                        if (group > 0) {
                            if (options.staticGroups()) {
                                scale = groupScales.get((int) ((permutation == null ? col : permutation[(int) col]) / group));
                            } else if (col % group == 0) {
                                long at = i;
                                long end = start + count;
                                Tensor from = block;
                                Tensor rest = w;
                                scale = NativeScope.owned(() -> quantizer.scales(currentColumns(from, rest, at, end, group)));
                                newScales.add(scale);
                            }
                        }
                        try (PointerScope columnScope = new PointerScope()) {
                            Tensor column = block.narrow(1, i, 1);
                            Tensor code = codes.narrow(1, col, 1);
                            torch.div_out(code, column, scale).round_().clamp_(lowest, highest);
                            column.addcmul_(code, scale, minusOne).div_(pivots.narrow(1, i, 1));
                            if (i + 1 < count) {
                                // Outer product as a broadcast multiply-add: a rank-1 GEMM through BLAS costs far more in thread wake-ups.
                                block.narrow(1, i + 1, count - i - 1).addcmul_(column, u.narrow(0, i, 1).narrow(1, i + 1,
                                        count - i - 1), minusOne);
                            }
                        }
                    }
                }
                if (start + count < cols) {
                    // The block's columns are now its scaled errors: the lazy update of the columns after it.
                    w.narrow(1, start + count, cols - start - count).sub_(
                            block.matmul(upper.narrow(0, start, count).narrow(1, start + count, cols - start - count)));
                }
            }
            // Hand the block's scales to the enclosing scope, like every other tensor made here.
            for (Tensor made : newScales) {
                PointerScope enclosing = PointerScope.getInnerScope();
                if (enclosing != null) {
                    enclosing.attach(made);
                    made.releaseReference();
                }
                groupScales.add(made);
            }
        }
        Tensor groupIndex = null;
        if (perm != null) {
            Tensor position = perm.argsort();
            codes = codes.index_select(1, position);
            if (group > 0 && !options.staticGroups()) {
                // Dynamic groups were formed over the permuted columns: column c's group is its sweep position / group.
                groupIndex = position.floor_divide(Tensors.scalar(group)).to(ScalarType.Long);
            }
        }
        if (codes.isnan().any().item_double() != 0) {
            throw new IllegalStateException("GPTQ produced NaN weights");
        }
        Tensor scales = group > 0 ? torch.cat(new TensorVector(groupScales.toArray(Tensor[]::new)), 1) : scale;
        return new QuantizedWeight(codes.to(ScalarType.Char), scales, groupIndex, quantizer.bits());
    }

    /** [cols, rows]: row c holds the scales of the static group column c (in sweep order) belongs to. */
    private static Tensor columnScales(List<Tensor> groupScales, long[] permutation, long cols, int group) {
        long[] groupOf = new long[(int) cols];
        for (int c = 0; c < cols; c++) {
            groupOf[c] = (permutation == null ? c : permutation[c]) / group;
        }
        Tensor all = torch.cat(new TensorVector(groupScales.toArray(Tensor[]::new)), 1);
        return all.index_select(1, Tensors.longs(groupOf, cols).to(all.device(), ScalarType.Long)).t().contiguous();
    }

    /** The next {@code group} columns from column i of the block on: in-block values first, then the rest of w. */
    private static Tensor currentColumns(Tensor block, Tensor w, long i, long blockEnd, int group) {
        long inBlock = Math.min(group, block.size(1) - i);
        Tensor first = block.narrow(1, i, inBlock);
        return inBlock == group ? first : torch.cat(new TensorVector(first, w.narrow(1, blockEnd, group - inBlock)), 1);
    }

    private static long[] longs(Tensor t) {
        Tensor c = t.contiguous();
        long[] out = new long[(int) c.numel()];
        c.data_ptr_long().get(out);
        return out;
    }
}
