package io.rotquant.compiler.checkpoint;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Copies checkpoint tensors out of memory-mapped shard files into fresh tensors of the requested
 * dtype and device. Each shard is mapped once (private, read-only use); pages are read on demand,
 * so peak memory is what the caller keeps, not the size of the checkpoint.
 */
public final class TensorLoader implements AutoCloseable {
    private final Map<Path, Tensor> mapped = new HashMap<>();

    /** A new tensor holding the entry's values converted to {@code dtype} on {@code device}. */
    public Tensor load(TensorEntry entry, ScalarType dtype, Device device) {
        Tensor file = mapped.computeIfAbsent(entry.file(), this::map);
        Tensor bytes = file.narrow(0, entry.fileOffset(), entry.byteLength());
        if (entry.fileOffset() % entry.dtype().bytes() != 0) {
            bytes = bytes.clone();
        }
        Tensor typed = bytes.view(entry.dtype().scalarType()).view(entry.shape());
        return typed.to(device, dtype, false, true, new org.bytedeco.pytorch.MemoryFormatOptional());
    }

    private Tensor map(Path file) {
        long size = file.toFile().length();
        Tensor t = torch.from_file(file.toString(), new BoolOptional(false), new LongOptional(size),
                new TensorOptions(ScalarType.Byte));
        t.retainReference();
        return t;
    }

    @Override
    public void close() {
        mapped.values().forEach(Tensor::releaseReference);
        mapped.clear();
    }
}
