package io.rotquant.compiler.torch;

import static io.rotquant.compiler.recipe.RecipeParameter.DEVICE;
import static io.rotquant.compiler.recipe.RecipeParameter.THREADS;

import io.rotquant.compiler.InvalidInputException;
import java.util.function.Consumer;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Process-wide LibTorch setup: intra-op threads and the compute device. Call {@link #init} once
 * before the first tensor operation: on CUDA it checks the machine's libraries before any native
 * code loads, unpacks the GPU build whole, and makes cuBLAS and LibTorch deterministic.
 */
public final class Torch {
    /** cuBLAS's setting for run-to-run identical results (fixed workspaces, no split-K reductions in atomics). */
    private static final String CUBLAS_WORKSPACE_CONFIG = ":4096:8";

    private static volatile Device device;
    private static volatile String deviceName;
    private static volatile CudaCard card;
    private static volatile int cores;

    private Torch() {
    }

    /**
     * Resolves the device and sizes the thread pools for {@code threads} cores (0: all); {@code log}
     * gets the line that says which device was chosen when {@code auto} had to choose.
     *
     * <p>On the CPU, fp32 matmuls run on OpenBLAS's own pool, sized here to {@code threads} (the
     * launchers also set {@code OPENBLAS_NUM_THREADS} from it, which sizes the pool at load and is
     * what a GPU compile's host work gets). LibTorch's intra-op pool calling into it oversubscribes
     * the cores (an fp32 testbed window took 2.5× longer on 2 cores), so fp32 gets one intra-op
     * thread; bf16 matmuls run on LibTorch's own pool and get all of them.
     */
    public static synchronized void init(DeviceChoice choice, int threads, ScalarType computeType, Consumer<String> log) {
        if (threads < 0) {
            throw new InvalidInputException(THREADS.named() + " must be 0 (all cores) or positive, got " + threads);
        }
        cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        boolean cuda = choice.wantsGpu() && gpuUsable(choice, log);
        if (!cuda && Natives.gpuBuildPresent()) {
            requireLibraries(DEVICE.named() + " " + choice);  // the GPU build loads CUDA's runtime even to compute on the CPU
        }
        torch.set_num_threads(!cuda && computeType == ScalarType.Float ? 1 : cores);
        if (!cuda) {
            // The pool's size changes the sums of a GEMM: set here, an in-process compile (tests,
            // the plugin with fork=false) gives the launchers' figures for the same --threads.
            openblas_full.openblas_set_num_threads(cores);
        }
        int index = cuda ? choice.index() : 0;
        device = new Device(cuda ? torch.DeviceType.CUDA : torch.DeviceType.CPU, (byte) index);
        device.retainReference();  // process-wide: a scope open at the first call must not free it
        deviceName = cuda ? "cuda:" + index : "cpu";
        card = null;
        if (cuda) {
            torch.globalContext().setDeterministicAlgorithms(true, false);
            card = CudaCard.read(index);
            log.accept("device: " + card.describe() + ", " + String.format(java.util.Locale.ROOT, "%.1f GB free",
                    card.freeBytes() / 1e9));
        }
    }

    /** Work that may throw an IOException, for {@link #exclusively}. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws java.io.IOException;
    }

    /**
     * Sets LibTorch up for {@code choice} and runs {@code work}, one such work at a time in this
     * process: the device, the thread pools and the deterministic settings are LibTorch's
     * process-wide state, so two compiles in one JVM (a parallel Maven build with fork=false) take
     * turns instead of changing each other's settings halfway.
     */
    public static synchronized <T> T exclusively(DeviceChoice choice, int threads, ScalarType computeType,
            Consumer<String> log, Work<T> work) throws java.io.IOException {
        init(choice, threads, computeType, log);
        return work.run();
    }

    /** Whether CUDA is usable for {@code choice}; an {@code auto} that falls back says why in one line. */
    private static boolean gpuUsable(DeviceChoice choice, Consumer<String> log) {
        boolean auto = choice.kind() == DeviceChoice.Kind.AUTO;
        if (!Natives.gpuBuildPresent()) {
            String why = Natives.cpuBuildPresent() ? "LibTorch's CPU build is on the classpath: an in-process compile "
                    + "runs on the plugin's own LibTorch, so set rotquant.fork to true (the default), or run bin/rotquant, to get "
                    + "the GPU build" : "the classpath has no LibTorch natives with libtorch_cuda.so (expected in "
                    + Natives.gpu().get(0) + ")";
            return fallBack(auto, choice, why, log);
        }
        requireLibraries(DEVICE.named() + " " + choice);
        // Before the first use of the torch class, which loads the natives (and skips, silently, any that fail).
        Natives.unpackGpuBuild();
        // cuBLAS reads this when it makes its first handle; unset, deterministic mode refuses cuBLAS calls.
        if (System.getenv("CUBLAS_WORKSPACE_CONFIG") == null) {
            torch.set_env("CUBLAS_WORKSPACE_CONFIG", CUBLAS_WORKSPACE_CONFIG);
        }
        if (!torch.cuda_is_available()) {
            return fallBack(auto, choice, "LibTorch's GPU build sees no CUDA device (is the driver loaded? nvidia-smi)", log);
        }
        int count = torch.cuda_device_count();
        if (choice.index() >= count) {
            throw new InvalidInputException(DEVICE.named() + " " + choice + ": this machine has " + count + " CUDA device"
                    + (count == 1 ? "" : "s") + " (cuda:0" + (count > 1 ? " to cuda:" + (count - 1) : "") + ")");
        }
        return true;
    }

    private static boolean fallBack(boolean auto, DeviceChoice choice, String why, Consumer<String> log) {
        if (!auto) {
            throw new InvalidInputException(DEVICE.named() + " " + choice + ": " + why);
        }
        log.accept("device auto: compiling on the CPU: " + why);
        return false;
    }

    private static void requireLibraries(String what) {
        String problem = CudaLibraries.problem();
        if (problem != null) {
            throw new InvalidInputException(what + ": " + problem);
        }
    }

    public static Device device() {
        if (device == null) {
            init(DeviceChoice.CPU, 0, ScalarType.Float, line -> { });
        }
        return device;
    }

    public static String deviceName() {
        device();
        return deviceName;
    }

    /** The machine line of reports: the card on CUDA, the cores on the CPU. */
    public static String machine() {
        device();
        CudaCard c = card;
        return c != null ? c.describe() : "cpu, " + cores + " threads";
    }

    /** The card this process computes on, or null on the CPU. */
    public static CudaCard card() {
        device();
        return card;
    }

    /**
     * Runs {@code work} with LibTorch's intra-op pool at full width: for elementwise-heavy phases
     * with no BLAS calls (the weight clip search), where the one-thread fp32 setting would idle cores.
     */
    public static <T> T elementwise(java.util.function.Supplier<T> work) {
        int previous = torch.get_num_threads();
        torch.set_num_threads(threads());
        try {
            return work.get();
        } finally {
            torch.set_num_threads(previous);
        }
    }

    /**
     * Runs {@code work}, LAPACK factorizations (Cholesky, QR, SVD), with OpenBLAS's pool held to one
     * thread: its threaded factorizations round differently with the pool's size (a Cholesky from 256
     * columns on), which made artifacts depend on the thread count. Tensors on a GPU are factorized
     * by cuSOLVER, which this leaves as it is.
     */
    public static <T> T oneBlasThread(java.util.function.Supplier<T> work) {
        synchronized (Torch.class) {
            int previous = openblas_full.openblas_get_num_threads();
            openblas_full.openblas_set_num_threads(1);
            try {
                return work.get();
            } finally {
                openblas_full.openblas_set_num_threads(previous);
            }
        }
    }

    /**
     * Runs {@code work} with fp32 matmuls on the GPU's TF32 tensor cores (10-bit mantissa, fp32
     * accumulation) when {@code tf32} is set and the device is a GPU; as it is otherwise.
     */
    public static <T> T tensorCoreMatmuls(boolean tf32, java.util.function.Supplier<T> work) {
        if (!tf32 || card() == null) {
            return work.get();
        }
        torch.globalContext().setAllowTF32CuBLAS(true);
        try {
            return work.get();
        } finally {
            torch.globalContext().setAllowTF32CuBLAS(false);
        }
    }

    /** Waits for the kernels queued on the GPU (nothing to wait for on the CPU). */
    public static void synchronize() {
        if (card != null) {
            torch.cuda_synchronize();
        }
    }

    /** The number of cores the computation was given. */
    public static int threads() {
        device();
        return cores;
    }
}
