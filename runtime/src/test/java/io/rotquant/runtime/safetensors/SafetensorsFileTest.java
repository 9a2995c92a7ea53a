package io.rotquant.runtime.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    /** A file with the given header JSON and data bytes. */
    private Path raw(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        Path file = dir.resolve("t" + System.nanoTime() + ".safetensors");
        Files.write(file, b.array());
        return file;
    }

    @Test
    void readsBackWhatTheWriterWrote() throws IOException {
        Path file = dir.resolve("ok.safetensors");
        ByteBuffer floats = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f);
        SafetensorsWriter.write(file, Map.of("a", "b"), List.of(
                new SafetensorsWriter.Tensor("x", "F32", new long[] {2}, 8,
                        out -> SafetensorsWriter.writeFully(out, floats.flip())),
                new SafetensorsWriter.Tensor("y", "U8", new long[] {1, 3}, 3,
                        out -> SafetensorsWriter.writeFully(out, ByteBuffer.wrap(new byte[] {7, 8, 9})))), 64, "sum");
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.metadata()).containsEntry("a", "b").containsEntry("sum", f.dataSha256());
            float[] x = f.segment(f.entries().get("x")).toArray(SafetensorsFile.F32);
            assertThat(x).containsExactly(1.5f, -2f);
            assertThat(f.segment(f.entries().get("y")).toArray(ValueLayout.JAVA_BYTE)).containsExactly(7, 8, 9);
            assertThat((f.dataStart() + f.entries().get("y").start()) % 64).isZero();
        }
    }

    @Test
    void refusesMalformedLayoutsWithOneClearMessage() throws IOException {
        String ok = "{\"x\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}";
        assertThat(SafetensorsFile.open(raw(ok, 4)).entries()).containsKey("x");
        Map<String, String> bad = Map.of(
                "{\"x\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", "tensors cover 4 bytes of a 6-byte",
                "{\"x\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,4]}}", "unknown or missing dtype",
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,4]}}", "need 16 bytes",
                "{\"x\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"y\":{\"dtype\":\"U8\",\"shape\":[2],"
                        + "\"data_offsets\":[1,3]}}", "holes and overlaps",
                "{\"x\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,40]}}", "run past the data section",
                "{\"x\":{\"dtype\":\"U8\",\"shape\":[1099511627776,1099511627776],\"data_offsets\":[0,4]}}", "shape",
                "{\"x\":", "header is not valid JSON");
        for (Map.Entry<String, String> c : bad.entrySet()) {
            int data = c.getKey().contains("[0,4]}}") && c.getValue().startsWith("tensors cover") ? 6 : 4;
            Path file = raw(c.getKey(), data);
            assertThatThrownBy(() -> SafetensorsFile.open(file)).as(c.getKey()).isInstanceOf(SafetensorsException.class)
                    .hasMessageContaining(c.getValue());
        }
        Path tooLong = dir.resolve("long.safetensors");
        Files.write(tooLong, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        assertThatThrownBy(() -> SafetensorsFile.open(tooLong)).hasMessageContaining("does not fit");
    }
}
