package io.rotquant.compiler.checkpoint;

import io.rotquant.compiler.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
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
 * dtype and device. Each shard is mapped once per loader (read-only use); pages are read on
 * demand, and closing the loader unmaps them, so a loader per layer keeps resident memory to
 * what the caller keeps.
 */
public final class TensorLoader implements AutoCloseable {
    private final Map<Path, Tensor> mapped = new HashMap<>();

    /** A new tensor holding the entry's values converted to {@code dtype} on {@code device}. */
    public Tensor load(TensorEntry entry, ScalarType dtype, Device device) {
        return slice(entry, 0, entry.byteLength(), entry.shape(), dtype, device);
    }

    /** Rows {@code first .. first+count-1} (along the first axis) of the entry, converted like {@link #load}. */
    public Tensor loadRows(TensorEntry entry, long first, long count, ScalarType dtype, Device device) {
        long[] shape = entry.shape().clone();
        if (shape.length == 0 || first < 0 || count < 0 || first + count > shape[0]) {
            throw new IllegalArgumentException("rows " + first + "+" + count + " outside " + entry.name() + " "
                    + entry.shapeString());
        }
        long rowBytes = entry.byteLength() / shape[0];
        shape[0] = count;
        return slice(entry, first * rowBytes, count * rowBytes, shape, dtype, device);
    }

    private Tensor slice(TensorEntry entry, long offset, long length, long[] shape, ScalarType dtype, Device device) {
        Tensor file = mapped.computeIfAbsent(entry.file(), this::map);
        long end = entry.fileOffset() + offset + length;
        if (file.size(0) < end) {
            // The header was read when the checkpoint was opened; the shard has shrunk or gone since.
            throw new InvalidInputException(entry.file() + ": shard is " + file.size(0) + " bytes now, but tensor '"
                    + entry.name() + "' needs bytes up to " + end + " (was the file changed during the compile?)");
        }
        Tensor bytes = file.narrow(0, entry.fileOffset() + offset, length);
        if ((entry.fileOffset() + offset) % entry.dtype().bytes() != 0) {
            bytes = bytes.clone();
        }
        Tensor typed = bytes.view(entry.dtype().scalarType()).view(shape);
        return typed.to(device, dtype, false, true, new org.bytedeco.pytorch.MemoryFormatOptional());
    }

    private Tensor map(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read the shard (" + e.getMessage() + ")");
        }
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
