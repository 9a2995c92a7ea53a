package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.torch.Torch;
import io.rotquant.runtime.json.JsonWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rotquant bench-device}: the rates a compile's phases are set against on this device:
 * an fp32 matmul (and, on a GPU, the same on TF32 tensor cores), GPTQ's Hessian update xᵀx of one
 * window, and the memory bandwidth of a copy. Median over repeats after warm-up.
 */
@Command(name = "bench-device", mixinStandardHelpOptions = true,
        description = "Matmul rate (fp32, TF32 on a GPU), Hessian-update rate and copy bandwidth of the device: "
                + "median over repeats after warm-up.")
final class BenchDeviceCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    DeviceOptions where;

    @Option(names = "--size", defaultValue = "8192", paramLabel = "N",
            description = "Square matmul size, and the Hessian's width (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--tokens", defaultValue = "2048", paramLabel = "T",
            description = "Rows of one window in the Hessian update (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--copy-mib", defaultValue = "1024", paramLabel = "MIB",
            description = "Size of the copied buffer (default: ${DEFAULT-VALUE}).")
    int copyMib;

    @Mixin
    RepeatOptions runs;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Override
    public Integer call() {
        runs.check();
        if (size < 1 || tokens < 1 || copyMib < 1) {
            throw new InvalidInputException("--size, --tokens and --copy-mib must be positive, got " + size + ", " + tokens
                    + " and " + copyMib);
        }
        where.initTorch(ScalarType.Float);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("device", Torch.deviceName());
        out.put("machine", Torch.machine());
        try (PointerScope scope = new PointerScope()) {
            Tensor a = random(size, size);
            Tensor b = random(size, size);
            double gemmFlops = 2.0 * size * size * size;
            report(out, "fp32_matmul_tflops", "fp32 matmul " + size + "³", gemmFlops / 1e12, "TFLOP/s",
                    time(() -> a.matmul(b)));
            if (Torch.card() != null) {
                report(out, "tf32_matmul_tflops", "TF32 matmul " + size + "³", gemmFlops / 1e12, "TFLOP/s",
                        Torch.tensorCoreMatmuls(true, () -> time(() -> a.matmul(b))));
            }
            Tensor x = random(tokens, size);
            Tensor sum = torch.zeros(size, size).to(Torch.device(), ScalarType.Float);
            report(out, "hessian_update_tflops", "Hessian update xᵀx, x " + tokens + "×" + size,
                    2.0 * tokens * size * size / 1e12, "TFLOP/s", time(() -> sum.addmm_(x.t(), x)));
            Tensor buffer = random(copyMib * (1L << 20) / Float.BYTES, 1);
            report(out, "copy_gb_per_s", "copy of " + copyMib + " MiB (read + write)", 2.0 * copyMib * (1L << 20) / 1e9,
                    "GB/s", time(buffer::clone));
        }
        if (json) {
            System.out.println(JsonWriter.write(out));
        }
        return 0;
    }

    private static Tensor random(long rows, long cols) {
        return torch.randn(rows, cols).to(Torch.device(), ScalarType.Float);
    }

    /** Median seconds of {@code work} (its tensors freed after each run), waiting for the device each time. */
    private Timings time(Supplier<Tensor> work) {
        double[] seconds = new double[runs.repeat];
        for (int run = -runs.warmup; run < runs.repeat; run++) {
            Torch.synchronize();
            long start = System.nanoTime();
            try (PointerScope scope = new PointerScope()) {
                work.get();
                Torch.synchronize();
            }
            if (run >= 0) {
                seconds[run] = (System.nanoTime() - start) / 1e9;
            }
        }
        return Timings.of(seconds);
    }

    private static void report(Map<String, Object> out, String key, String what, double amount, String unit, Timings t) {
        double rate = amount / t.median();
        System.out.printf(Locale.ROOT, "%s: %.2f %s (median %.3f ms of %d runs, min %.3f, max %.3f) [%s]%n", what, rate,
                unit, t.median() * 1e3, t.runs(), t.min() * 1e3, t.max() * 1e3, Torch.deviceName());
        out.put(key, rate);
    }
}
