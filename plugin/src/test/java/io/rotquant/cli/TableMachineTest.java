package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The instruction set a table records: the widest extension in the CPU's flags, or LibTorch's override. */
class TableMachineTest {
    @Test
    void namesTheWidestVectorExtension() {
        assertThat(TableMachine.instructionSet("fpu sse2 avx avx2 fma avx512f avx512bw", null)).isEqualTo("AVX-512");
        assertThat(TableMachine.instructionSet("fpu sse2 avx avx2 fma", null)).isEqualTo("AVX2");
        assertThat(TableMachine.instructionSet("fpu sse2 avx", "")).isEqualTo("no AVX2");
        assertThat(TableMachine.instructionSet("avx2 avx512f", "avx2")).isEqualTo("ATEN_CPU_CAPABILITY=avx2");
    }
}
