package io.rotquant.compiler.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.TorchTestSupport;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.artifact.Artifact;
import io.rotquant.runtime.artifact.ArtifactException;
import io.rotquant.runtime.json.Json;
import io.rotquant.runtime.json.JsonWriter;
import io.rotquant.runtime.model.RotQuantModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 corrupted artifacts (stories260K, W4A4KV4) fed to the reader: truncations, random header
 * bytes, bit flips anywhere, and well-formed headers with wrong contents (shapes, offsets, dtypes,
 * metadata). Each must open as a valid artifact or fail with {@link ArtifactException} naming the
 * file; anything else (another exception, an error, a hang) fails the test. Every tenth case that
 * the reader accepts is also loaded as a model.
 */
class ArtifactFuzzTest {
    private static final int CASES = 10_000;

    enum Mutation { TRUNCATE, HEADER_BYTE, BIT_FLIPS, HEADER_CONTENT }

    @TempDir
    static Path dir;
    private static byte[] good;
    private static int headerLength;

    @BeforeAll
    static void compile() throws IOException {
        Path out = dir.resolve("good.rqm");
        Recipe recipe = Recipe.FP.withRotation(RotationKind.HADAMARD, 0).withWeights(4, WeightMethod.RTN, 0, true)
                .withActivations(4, 1.0, 4, 1.0);
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), recipe)) {
            ArtifactWriter.write(prepared, out, Map.of(), 16);
        }
        good = Files.readAllBytes(out);
        headerLength = (int) ByteBuffer.wrap(good, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void tenThousandCorruptArtifactsOpenOrFailWithTheDocumentedExceptionOnly() throws IOException {
        SplittableRandom random = new SplittableRandom(2026);
        Path file = dir.resolve("mutated.rqm");
        Map<Mutation, int[]> outcomes = new EnumMap<>(Mutation.class);
        for (int i = 0; i < CASES; i++) {
            Mutation kind = Mutation.values()[i % Mutation.values().length];
            Files.write(file, mutate(kind, random));
            int[] counts = outcomes.computeIfAbsent(kind, k -> new int[2]);
            try {
                try (Artifact artifact = Artifact.open(file)) {
                    counts[0]++;
                }
                if (i % 10 == 0) {
                    try (RotQuantModel model = RotQuantModel.load(file, 1)) {
                        assertThat(model.spec().numLayers()).isPositive();
                    }
                }
            } catch (ArtifactException expected) {
                counts[1]++;
                assertThat(expected.getMessage()).as("case %d (%s)", i, kind).startsWith(file.toString());
            } catch (Throwable other) {
                fail("case " + i + " (" + kind + ") threw " + other, other);
            }
        }
        outcomes.forEach((kind, counts) -> System.out.printf("fuzz %s: %d opened, %d refused%n", kind, counts[0], counts[1]));
        // Every kind of corruption was mostly refused (a few mutations leave a file valid, e.g. in header padding).
        outcomes.forEach((kind, counts) -> assertThat(counts[1]).as(kind + " refused").isGreaterThan(CASES / 8));
    }

    private static byte[] mutate(Mutation kind, SplittableRandom random) {
        return switch (kind) {
            case TRUNCATE -> Arrays.copyOf(good, random.nextInt(good.length));
            case HEADER_BYTE -> {
                byte[] m = good.clone();
                m[random.nextInt(8 + headerLength)] = (byte) random.nextInt(256);
                yield m;
            }
            case BIT_FLIPS -> {
                byte[] m = good.clone();
                for (int k = 1 + random.nextInt(8); k > 0; k--) {
                    m[random.nextInt(m.length)] ^= (byte) (1 << random.nextInt(8));
                }
                yield m;
            }
            case HEADER_CONTENT -> withHeader(mutatedHeader(random));
        };
    }

    /** The header JSON with one entry's dtype, shape, offsets or a metadata value changed (or removed). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> mutatedHeader(SplittableRandom random) {
        Map<String, Object> header = Json.parseObject(new String(good, 8, headerLength, StandardCharsets.UTF_8).strip());
        List<String> names = new ArrayList<>(header.keySet());
        String name = names.get(random.nextInt(names.size()));
        Map<String, Object> entry = (Map<String, Object>) header.get(name);
        List<String> fields = new ArrayList<>(entry.keySet());
        String field = fields.get(random.nextInt(fields.size()));
        Object value = entry.get(field);
        if (random.nextInt(10) == 0) {
            entry.remove(field);
        } else if (value instanceof List<?> list && !list.isEmpty()) {
            List<Object> changed = new ArrayList<>(list);
            int at = random.nextInt(changed.size());
            long old = ((Number) changed.get(at)).longValue();
            long[] choices = {0, -1, old + 1, old - 1, old * 2, 1L << 40, Long.MAX_VALUE};
            changed.set(at, choices[random.nextInt(choices.length)]);
            entry.put(field, changed);
        } else if (value instanceof String text && text.startsWith("{")) {
            // A metadata JSON document: change one number in it.
            entry.put(field, text.replaceFirst("\\d+", String.valueOf(new long[] {0, 1, 3, 999_999_999, -7}[random.nextInt(5)])));
        } else {
            String[] dtypes = {"F32", "F16", "I8", "U8", "BF16", "I64", "X9", ""};
            entry.put(field, dtypes[random.nextInt(dtypes.length)]);
        }
        return header;
    }

    /** The good file's data under a new header, padded with spaces to the old length when it fits. */
    private static byte[] withHeader(Map<String, Object> header) {
        byte[] json = JsonWriter.write(header).getBytes(StandardCharsets.UTF_8);
        int length = Math.max(json.length, headerLength);
        byte[] out = new byte[8 + length + good.length - 8 - headerLength];
        ByteBuffer.wrap(out, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(length);
        Arrays.fill(out, 8, 8 + length, (byte) ' ');
        System.arraycopy(json, 0, out, 8, json.length);
        System.arraycopy(good, 8 + headerLength, out, 8 + length, good.length - 8 - headerLength);
        return out;
    }
}
