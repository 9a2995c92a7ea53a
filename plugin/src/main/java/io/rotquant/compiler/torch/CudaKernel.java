package io.rotquant.compiler.torch;

import java.util.Locale;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.pytorch.Tensor;

/**
 * One CUDA C kernel compiled at run time with NVRTC for the card in use and launched through the
 * driver API, for the few steps where LibTorch's per-op launch cost, not the arithmetic, is the
 * time. It runs on the default stream, the one LibTorch's kernels use here, so it is ordered
 * with them without synchronizing. The module stays loaded for the life of the process.
 */
public final class CudaKernel {
    private final String name;
    private final CUfunc_st function;

    private CudaKernel(String name, CUfunc_st function) {
        this.name = name;
        this.function = function;
    }

    /** Compiles {@code source} for {@code card} and looks up the {@code extern "C"} function {@code name}. */
    public static CudaKernel compile(CudaCard card, String source, String name) {
        _nvrtcProgram program = new _nvrtcProgram();
        nvrtcCheck(nvrtc.nvrtcCreateProgram(program, new BytePointer(source), new BytePointer(name + ".cu"), 0,
                (BytePointer) null, (BytePointer) null), "nvrtcCreateProgram", null);
        try {
            String arch = String.format(Locale.ROOT, "--gpu-architecture=sm_%d%d", card.major(), card.minor());
            nvrtcCheck(nvrtc.nvrtcCompileProgram(program, 1, new PointerPointer<>(arch)), "compiling " + name, program);
            try (SizeTPointer size = new SizeTPointer(1)) {
                nvrtcCheck(nvrtc.nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize", null);
                BytePointer cubin = new BytePointer(size.get());
                nvrtcCheck(nvrtc.nvrtcGetCUBIN(program, cubin), "nvrtcGetCUBIN", null);
                // The runtime makes the card's primary context current on this thread; the module loads into it.
                driverCheck(cudart.cudaSetDevice(card.index()), "cudaSetDevice");
                driverCheck(cudart.cudaFree(null), "cudaFree");
                CUmod_st module = new CUmod_st();
                driverCheck(cudart.cuModuleLoadData(module, cubin), "cuModuleLoadData");
                CUfunc_st function = new CUfunc_st();
                driverCheck(cudart.cuModuleGetFunction(function, module, name), "cuModuleGetFunction " + name);
                return new CudaKernel(name, function);
            }
        } finally {
            nvrtc.nvrtcDestroyProgram(program);
        }
    }

    /**
     * Launches the kernel on a one-dimensional grid; {@code args} are Tensors (their device
     * address), Integers or Floats, in the kernel's parameter order.
     */
    public void launch(int blocks, int threads, int sharedBytes, Object... args) {
        Pointer[] values = new Pointer[args.length];
        try {
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof Tensor t) {
                    values[i] = new LongPointer(1).put(t.data_ptr().address());
                } else if (args[i] instanceof Integer v) {
                    values[i] = new IntPointer(1).put(v.intValue());
                } else if (args[i] instanceof Float v) {
                    values[i] = new FloatPointer(1).put(v.floatValue());
                } else {
                    throw new IllegalArgumentException("kernel argument " + i + ": " + args[i].getClass());
                }
            }
            try (PointerPointer<Pointer> params = new PointerPointer<>(values)) {
                driverCheck(cudart.cuLaunchKernel(function, blocks, 1, 1, threads, 1, 1, sharedBytes, (CUstream_st) null,
                        params, (PointerPointer<?>) null), "launching " + name);
            }
        } finally {
            for (Pointer value : values) {
                if (value != null) {
                    value.close();
                }
            }
        }
    }

    private static void nvrtcCheck(int status, String what, _nvrtcProgram program) {
        if (status == nvrtc.NVRTC_SUCCESS) {
            return;
        }
        String log = "";
        if (program != null) {
            try (SizeTPointer size = new SizeTPointer(1)) {
                nvrtc.nvrtcGetProgramLogSize(program, size);
                BytePointer text = new BytePointer(size.get());
                nvrtc.nvrtcGetProgramLog(program, text);
                log = ": " + text.getString().strip().replace('\n', ' ');
            }
        }
        throw new IllegalStateException(what + " failed (" + nvrtc.nvrtcGetErrorString(status).getString() + ")" + log);
    }

    private static void driverCheck(int status, String what) {
        if (status != 0) {
            throw new IllegalStateException(what + " failed with CUDA error " + status);
        }
    }
}
