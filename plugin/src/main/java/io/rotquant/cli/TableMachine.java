package io.rotquant.cli;

import io.rotquant.compiler.torch.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a table's figures depend on besides the recipe: the device (a card, or the CPU with its
 * thread count), the CPU's model and the vector instructions LibTorch dispatches to (AVX-512 and
 * AVX2 machines round differently), and the compute dtype. A resumed table refuses cells from
 * another machine.
 */
final class TableMachine {
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    private TableMachine() {
    }

    /** This process's record; LibTorch must be set up. */
    static Map<String, Object> current(String dtype) {
        List<String> cpuinfo = cpuinfo();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", Torch.machine());
        m.put("cpu", field(cpuinfo, "model name"));
        m.put("instruction_set", instructionSet(field(cpuinfo, "flags"), System.getenv("ATEN_CPU_CAPABILITY")));
        m.put("dtype", dtype);
        return m;
    }

    /** The widest x86 vector extension in a cpuinfo flags line, or LibTorch's override when one is set. */
    static String instructionSet(String flags, String atenOverride) {
        if (atenOverride != null && !atenOverride.isBlank()) {
            return "ATEN_CPU_CAPABILITY=" + atenOverride;
        }
        List<String> words = List.of(flags.split("\\s+"));
        return words.contains("avx512f") ? "AVX-512" : words.contains("avx2") ? "AVX2" : "no AVX2";
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(CPUINFO);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String field(List<String> cpuinfo, String name) {
        return cpuinfo.stream().filter(line -> line.startsWith(name)).map(line -> line.substring(line.indexOf(':') + 1).strip())
                .findFirst().orElse("unknown");
    }
}
