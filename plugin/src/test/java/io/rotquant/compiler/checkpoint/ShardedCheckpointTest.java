package io.rotquant.compiler.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.compiler.torch.Tensors;
import io.rotquant.runtime.TestPaths;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * stories260K rewritten as two half-precision shards with an index: every tensor loads back as
 * exactly the half-precision rounding of the original.
 */
class ShardedCheckpointTest {
    private static final Device CPU = new Device(torch.DeviceType.CPU);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = TensorDType.class, names = {"F16", "BF16"})
    void halfPrecisionShardsLoadExactly(TensorDType dtype) throws IOException {
        Checkpoint original = Checkpoint.open(TestPaths.stories260K());
        Path model = dir.resolve("sharded-" + dtype);
        Files.createDirectories(model);
        Files.copy(TestPaths.stories260K().resolve("config.json"), model.resolve("config.json"));
        List<TensorEntry> entries = SafetensorsHeader.read(TestPaths.stories260K().resolve("model.safetensors"));
        try (TensorLoader loader = new TensorLoader(); PointerScope scope = new PointerScope()) {
            Map<String, String> weightMap = new LinkedHashMap<>();
            for (int shard = 0; shard < 2; shard++) {
                String name = String.format("model-%05d-of-00002.safetensors", shard + 1);
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                for (int i = shard; i < entries.size(); i += 2) {
                    TensorEntry e = entries.get(i);
                    tensors.put(e.name(), loader.load(e, dtype.scalarType(), CPU));
                    weightMap.put(e.name(), name);
                }
                writeSafetensors(model.resolve(name), dtype, tensors);
            }
            Files.writeString(model.resolve("model.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":{"
                    + weightMap.entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                            .collect(Collectors.joining(",")) + "}}");

            Checkpoint sharded = Checkpoint.open(model);
            for (TensorEntry e : entries) {
                TensorEntry copy = sharded.require(e.name(), e.shape());
                assertThat(copy.dtype()).isEqualTo(dtype);
                assertThat(copy.file().getFileName().toString()).isEqualTo(weightMap.get(e.name()));
                Tensor expected = loader.load(original.require(e.name(), e.shape()), dtype.scalarType(), CPU)
                        .to(ScalarType.Float);
                Tensor actual = loader.load(copy, ScalarType.Float, CPU);
                assertThat(Tensors.toDoubles(actual)).as(e.name()).isEqualTo(Tensors.toDoubles(expected));
            }
        }
    }

    /** A minimal safetensors writer for 16-bit tensors: header padded to 8 bytes, data in order. */
    private static void writeSafetensors(Path file, TensorDType dtype, Map<String, Tensor> tensors) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        List<String> fields = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor bits = e.getValue().contiguous().view(ScalarType.Short);
            short[] values = new short[(int) bits.numel()];
            bits.data_ptr_short().get(values);
            ByteBuffer buffer = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            buffer.asShortBuffer().put(values);
            long begin = data.size();
            data.write(buffer.array());
            fields.add("\"" + e.getKey() + "\":{\"dtype\":\"" + dtype + "\",\"shape\":"
                    + java.util.Arrays.toString(Tensors.shape(e.getValue())).replace(" ", "")
                    + ",\"data_offsets\":[" + begin + "," + data.size() + "]}");
        }
        String header = "{" + String.join(",", fields) + "}";
        header += " ".repeat((8 - header.length() % 8) % 8);
        byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(length.array());
        out.write(headerBytes);
        out.write(data.toByteArray());
        Files.write(file, out.toByteArray());
    }
}
