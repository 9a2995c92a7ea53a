package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GpuOutOfMemoryTest {
    @Test
    void libTorchsPageBecomesOneLine() {
        // As LibTorch 2.13 printed it on an H200 (DuaRot training at the LLaMA-3.1-8B shape), trimmed.
        RuntimeException e = new RuntimeException("CUDA out of memory. Tried to allocate 224.00 MiB. GPU 0 has a total "
                + "capacity of 139.80 GiB of which 101.12 MiB is free. Including non-PyTorch memory, this process has "
                + "139.69 GiB memory in use.\\nException raised from malloc at CUDACachingAllocator.cpp:1928\\nframe #0: ...");
        assertThat(GpuOutOfMemory.describe(e)).isEqualTo("out of GPU memory: asked for 224.00 MiB more on cuda:0, which "
                + "has 139.80 GiB with 101.12 MiB free; hold one layer at a time or use fewer or shorter windows "
                + "(--train-memory layer, --train-batch, --train-seqlen for learned rotations; --nsamples, --seqlen for "
                + "GPTQ) or a card with more memory");
    }

    @Test
    void otherErrorsAreLeftAlone() {
        assertThat(GpuOutOfMemory.describe(new RuntimeException("Expected all tensors to be on the same device"))).isNull();
        assertThat(GpuOutOfMemory.describe(new NullPointerException())).isNull();
    }
}
