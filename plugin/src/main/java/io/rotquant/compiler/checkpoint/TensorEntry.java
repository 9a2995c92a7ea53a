package io.rotquant.compiler.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;

/** Where one tensor lives: its file, dtype, shape and absolute byte range in the file. */
public record TensorEntry(String name, Path file, TensorDType dtype, long[] shape, long fileOffset, long byteLength) {

    public long numel() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
