package io.rotquant.runtime.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.runtime.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    private static SafetensorsWriter.Tensor bytes(String name, int count, int fill) {
        byte[] data = new byte[count];
        java.util.Arrays.fill(data, (byte) fill);
        return new SafetensorsWriter.Tensor(name, "U8", new long[] {count}, count,
                out -> SafetensorsWriter.writeFully(out, ByteBuffer.wrap(data)));
    }

    @SuppressWarnings("unchecked")
    @Test
    void alignedLayoutDeclaresEveryGapAsPaddingSoTheDataHasNoHoles() throws IOException {
        Path file = dir.resolve("a.safetensors");
        SafetensorsWriter.write(file, Map.of("k", "v"), List.of(bytes("a", 3, 1), bytes("b", 70, 2), bytes("c", 64, 3)),
                64);
        byte[] all = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat((8 + headerLength) % 64).isZero();
        Map<String, Object> header = Json.parseObject(new String(all, 8, (int) headerLength, StandardCharsets.UTF_8).trim());
        assertThat(((Map<String, Object>) header.get("__metadata__"))).containsEntry("k", "v");
        long expectedStart = 0;
        long dataEnd = 0;
        for (String name : List.of("a", "__padding__.0", "b", "__padding__.1", "c")) {
            List<Object> offsets = (List<Object>) ((Map<String, Object>) header.get(name)).get("data_offsets");
            assertThat(offsets.get(0)).as(name).isEqualTo(expectedStart);
            expectedStart = (Long) offsets.get(1);
            dataEnd = expectedStart;
        }
        for (String name : List.of("a", "b", "c")) {
            long start = (Long) ((List<Object>) ((Map<String, Object>) header.get(name)).get("data_offsets")).get(0);
            assertThat(start % 64).as(name).isZero();
            assertThat(all[(int) (8 + headerLength + start)]).isEqualTo((byte) (name.charAt(0) - 'a' + 1));
        }
        assertThat(all.length).isEqualTo(8 + headerLength + dataEnd);
    }

    @Test
    void aFailingBodyLeavesNoFileBehind() {
        Path file = dir.resolve("b.safetensors");
        SafetensorsWriter.Tensor broken = new SafetensorsWriter.Tensor("x", "U8", new long[] {8}, 8, out -> {
            throw new IOException("disk full");
        });
        assertThatThrownBy(() -> SafetensorsWriter.write(file, Map.of(), List.of(bytes("a", 8, 1), broken), 8))
                .hasMessage("disk full");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aBodyWritingTheWrongLengthIsRefused() {
        Path file = dir.resolve("c.safetensors");
        SafetensorsWriter.Tensor shortBody = new SafetensorsWriter.Tensor("x", "U8", new long[] {8}, 8,
                out -> SafetensorsWriter.writeFully(out, ByteBuffer.allocate(4)));
        assertThatThrownBy(() -> SafetensorsWriter.write(file, Map.of(), List.of(shortBody), 8))
                .hasMessageContaining("x: wrote 4 bytes, declared 8");
        assertThat(dir).isEmptyDirectory();
    }
}
