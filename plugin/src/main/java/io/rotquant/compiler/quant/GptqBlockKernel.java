package io.rotquant.compiler.quant;

import io.rotquant.compiler.torch.CudaCard;
import io.rotquant.compiler.torch.CudaKernel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * GPTQ's column sweep over one block as a single CUDA kernel ({@code gptq_block.cu}). Done op by
 * op, a column costs six LibTorch kernels of a few microseconds of work each, and a 1B-shape
 * compile sweeps 229,376 columns: the launches, not the arithmetic, were the solve's time.
 */
final class GptqBlockKernel {
    /** {@code -Drotquant.gptq.kernel=false} sweeps op by op on a GPU too: a diagnostic, both must agree. */
    static final String PROPERTY = "rotquant.gptq.kernel";
    /** Shared memory a block may use without opting in to more. */
    private static final int SHARED_LIMIT = 48 * 1024;
    private static final int MAX_THREADS = 64;
    private static final int MIN_THREADS = 32;

    private static final Map<Integer, GptqBlockKernel> COMPILED = new ConcurrentHashMap<>();

    private final CudaKernel kernel;

    private GptqBlockKernel(CudaKernel kernel) {
        this.kernel = kernel;
    }

    /** The kernel built for {@code card} (once per process), or null when {@link #PROPERTY} turns it off. */
    static GptqBlockKernel forCard(CudaCard card) {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return null;
        }
        return COMPILED.computeIfAbsent(card.index(), index -> compile(card));
    }

    private static GptqBlockKernel compile(CudaCard card) {
        try (InputStream in = GptqBlockKernel.class.getResourceAsStream("gptq_block.cu")) {
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new GptqBlockKernel(CudaKernel.compile(card, source, "gptq_block"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("GPTQ's CUDA kernel could not be built on " + card.describe() + ": "
                    + e.getMessage() + " (-D" + PROPERTY + "=false sweeps op by op instead)", e);
        }
    }

    /** Whether a block of {@code count} columns fits the kernel's shared memory. */
    static boolean fits(long count) {
        return count * MIN_THREADS * Float.BYTES <= SHARED_LIMIT;
    }

    /**
     * Sweeps {@code blockT} ([count, rows], contiguous fp32, in place: errors on return) and
     * returns the codes [count, rows]. {@code scales} is [rows, 1] (one per row) or [count, rows].
     */
    Tensor sweep(Tensor blockT, Tensor upperBlock, Tensor scales, double lowest, double highest) {
        int count = (int) blockT.size(0);
        int rows = (int) blockT.size(1);
        int threads = count * MAX_THREADS * Float.BYTES <= SHARED_LIMIT ? MAX_THREADS : MIN_THREADS;
        Tensor codes = torch.empty_like(blockT);
        // LibTorch's Cholesky factors come back column-major: the kernel reads rows.
        Tensor u = upperBlock.contiguous();
        Tensor contiguousScales = scales.contiguous();
        int scaleStride = scales.size(0) == rows && scales.size(1) == 1 ? 0 : rows;
        kernel.launch((rows + threads - 1) / threads, threads, count * threads * Float.BYTES, blockT, codes,
                u, contiguousScales, rows, count, count, scaleStride, (float) lowest,
                (float) highest);
        return codes;
    }
}
