package io.rotquant.runtime.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.rotquant.runtime.TestPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Our tokenizer against the reference Rust implementation (through DJL) on both shared tokenizer
 * families: ids with and without special tokens, and decoded text, over the same varied strings.
 */
class TokenizerConformanceTest {

    @Test
    void sentencePieceStyleBpeWithByteFallbackMatchesReference() throws Exception {
        assertConforms(TestPaths.stories260K().resolve("tokenizer.json"));
    }

    @Test
    void byteLevelBpeMatchesReference() throws Exception {
        assertConforms(TestPaths.shared("models/rq-testbed-26m/tokenizer.json"));
    }

    /** The LLaMA-3 layout: a Split regex pre-tokenizer followed by ByteLevel without its own regex. */
    @Test
    void llama3StyleSplitPreTokenizerMatchesReference(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String json = Files.readString(TestPaths.shared("models/rq-testbed-26m/tokenizer.json"));
        String llama3 = "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":{\"Regex\":"
                + "\"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+\"},"
                + "\"behavior\":\"Isolated\",\"invert\":false},"
                + "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":false}]}";
        String smol = "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Digits\",\"individual_digits\":true},"
                + "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}]}";
        String original = "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}";
        String compact = json.replaceAll("\"pre_tokenizer\":\\s*\\{[^}]*\\}", original);
        assertThat(compact).contains(original);
        for (String variant : List.of(llama3, smol)) {
            Path file = dir.resolve("tokenizer-" + variant.hashCode() + ".json");
            Files.writeString(file, compact.replace(original, "\"pre_tokenizer\":" + variant));
            assertConforms(file);
        }
    }

    private static void assertConforms(Path file) throws IOException {
        Tokenizer ours = Tokenizer.load(file);
        List<String> inputs = testStrings();
        assertThat(inputs).hasSizeGreaterThanOrEqualTo(2000);
        List<String> mismatches = new ArrayList<>();
        try (HuggingFaceTokenizer withSpecials = reference(file, true);
                HuggingFaceTokenizer plain = reference(file, false)) {
            for (String text : inputs) {
                long[] expected = withSpecials.encode(text).getIds();
                int[] actual = ours.encode(text, true);
                if (!Arrays.equals(expected, Arrays.stream(actual).asLongStream().toArray())) {
                    mismatches.add("ids " + show(text) + ": expected " + Arrays.toString(expected) + " got "
                            + Arrays.toString(actual));
                    continue;
                }
                long[] expectedPlain = plain.encode(text).getIds();
                if (!Arrays.equals(expectedPlain, Arrays.stream(ours.encode(text, false)).asLongStream().toArray())) {
                    mismatches.add("ids without specials " + show(text));
                }
                for (boolean skip : new boolean[] {true, false}) {
                    String expectedText = withSpecials.decode(expected, skip);
                    String actualText = ours.decode(actual, skip);
                    if (!expectedText.equals(actualText)) {
                        mismatches.add("decode(skip=" + skip + ") " + show(text) + ": expected " + show(expectedText)
                                + " got " + show(actualText));
                    }
                }
            }
        }
        assertThat(mismatches).as("mismatches with the reference on %s (%d strings)", file, inputs.size()).isEmpty();
    }

    private static HuggingFaceTokenizer reference(Path file, boolean addSpecialTokens) throws IOException {
        return HuggingFaceTokenizer.newInstance(file, Map.of(
                "addSpecialTokens", Boolean.toString(addSpecialTokens),
                "truncation", "false", "padding", "false", "maxLength", "100000"));
    }

    private static String show(String s) {
        return s.codePoints().mapToObj(cp -> cp < 0x20 || cp > 0x7E ? String.format("\\u%04x", cp)
                : Character.toString(cp)).collect(Collectors.joining("", "\"", "\""));
    }

    /** Edge cases, random strings over a mixed alphabet, and slices of real text; all seeded. */
    static List<String> testStrings() throws IOException {
        List<String> out = new ArrayList<>(List.of("", " ", "  ", "\n", "\n\n", "\t", " \n ", "a", "A", "0", "00",
                "123456789", "3.14159", "Hello world", " Hello", "Hello ", "hello  world", "it's", "IT'S", "we'll",
                "don't", "   leading", "trailing   ", "tab\tseparated", "line\nbreak", "crlf\r\nline", "ünïcödé",
                "日本語のテキスト", "emoji 😀👍🏽", "mixed123abc456", "1,000,000", "a\u00a0b", "\u3000wide space",
                "\u200bzero width", "e\u0301 combining", "Привет мир", "مرحبا", "<s>", "</s>", "<unk>", "a<s>b",
                "<|begin_of_text|>", "x<|end_of_text|>y", "▁", "▁▁x", "<0x41>", "\\u0041", "{\"json\": 1}",
                "def f(x):\n    return x ** 2\n", "    indented", "!!!???", "...", "—–-", "\u0000", "\u007f"));
        String pool = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789     \n\n\t.,;:!?'\"()[]{}<>-_/\\@#$%^&*+=|~`"
                + "éèêëàâäôöûüçñßøåæœÉÀÇ日本語中文字한국어ПриветмирΑλφαβητοعربي🙂😀🚀👍🏽\u00a0\u2003\u3000\u0301\u200b▁";
        int[] poolPoints = pool.codePoints().toArray();
        SplittableRandom random = new SplittableRandom(20261123L);
        for (int i = 0; i < 1400; i++) {
            int length = random.nextInt(1, 40);
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < length; j++) {
                sb.appendCodePoint(poolPoints[random.nextInt(poolPoints.length)]);
            }
            out.add(sb.toString());
        }
        String story = Files.readString(TestPaths.repo().resolve("examples/models/stories260K/SOURCE.md"), StandardCharsets.UTF_8);
        String[] words = story.split("(?<=\\s)");
        for (int i = 0; i < 700; i++) {
            int start = random.nextInt(words.length);
            int count = random.nextInt(1, 30);
            out.add(String.join("", Arrays.asList(words).subList(start, Math.min(words.length, start + count))));
        }
        return out;
    }
}
