package io.rotquant.compiler.checkpoint;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.safetensors.SafetensorsException;
import io.rotquant.runtime.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensors of one safetensors file, validated by the runtime's reader (header length, JSON,
 * shapes, byte ranges that match the shape and tile the data section), then held to the dtypes a
 * checkpoint may use. Errors are one line that names the file.
 */
public final class SafetensorsHeader {
    private SafetensorsHeader() {
    }

    public static List<TensorEntry> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + ": file not found");
        }
        try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
            List<TensorEntry> out = new ArrayList<>();
            for (SafetensorsFile.Entry e : safetensors.entries().values()) {
                out.add(new TensorEntry(e.name(), file, dtype(file, e), e.shape(), safetensors.dataStart() + e.start(),
                        e.byteLength()));
            }
            return out;
        } catch (SafetensorsException e) {
            throw new InvalidInputException(file + ": " + e.getMessage());
        }
    }

    private static TensorDType dtype(Path file, SafetensorsFile.Entry e) {
        try {
            return TensorDType.valueOf(e.dtype());
        } catch (IllegalArgumentException unsupported) {
            throw new InvalidInputException(file + ": tensor '" + e.name() + "' has unsupported dtype '" + e.dtype()
                    + "' (supported: F32, F16, BF16)");
        }
    }
}
