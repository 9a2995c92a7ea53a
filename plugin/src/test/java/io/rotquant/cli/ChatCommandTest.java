package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.chat.Chat;
import io.rotquant.runtime.model.Generation;
import io.rotquant.runtime.model.RotQuantModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint with a chat template, compiled: the artifact carries it, and chat turns reuse the cache exactly. */
class ChatCommandTest {
    private static final String TEMPLATE = "{{ bos_token }}{% for m in messages %}{{ m.role | upper }}: {{ m.content }}\n"
            + "{% endfor %}{% if add_generation_prompt %}ASSISTANT:{% endif %}";

    @TempDir
    static Path dir;
    static Path artifact;

    @BeforeAll
    static void compile() throws IOException {
        Path model = TestPaths.copyOfStories260K(dir.resolve("stories-chat"));
        Path config = model.resolve("tokenizer_config.json");
        String json = Files.readString(config).strip();
        Files.writeString(config, json.substring(0, json.length() - 1) + ", \"chat_template\": "
                + io.rotquant.runtime.json.JsonWriter.write(TEMPLATE) + "}");
        artifact = dir.resolve("chat.rqm");
        CliRun compile = CliRun.of("compile", "--model", model.toString(), "--out", artifact.toString(), "--w-bits", "8",
                "--w-method", "rtn", "--a-bits", "8", "--kv-bits", "8", "--quiet");
        assertThat(compile.exitCode()).as(compile.err()).isZero();
    }

    @Test
    void aSecondTurnOnTheCacheEqualsOneGenerationOverTheWholeConversation() {
        try (RotQuantModel model = RotQuantModel.load(artifact, 1)) {
            Chat chat = Chat.on(model).system("Tell stories.");
            Generation.Result first = chat.send("Once upon a time", g -> g.maxTokens(12));
            int[] second = chat.prompt("Then what?");
            Generation.Result reply = chat.send("Then what?", g -> g.maxTokens(12));
            Generation.Result fresh = model.newSession().generate().maxTokens(12).run(second);
            assertThat(reply.tokens()).isEqualTo(fresh.tokens());
            assertThat(chat.reused()).as("prompt tokens from the cache").isGreaterThan(first.tokens().length).isLessThan(second.length);
            assertThat(first.tokens()).isNotEmpty();
            // BOS once, at the start: the template places it and encoding adds none.
            int bos = model.spec().bosTokenId();
            assertThat(Arrays.stream(second).filter(t -> t == bos).count()).isEqualTo(1);
            assertThat(second[0]).isEqualTo(bos);
            assertThat(chat.messages()).hasSize(5);
            assertThat(model.tokenizer().decode(second, true)).startsWith("SYSTEM: Tell stories.\nUSER: Once upon a time\n"
                    + "ASSISTANT: " + first.text().strip());
        }
    }

    @Test
    void conversationsForkedFromAPrefilledSystemPromptReplyAsFreshOnesAndLeaveTheirSourceAsItWas() {
        try (RotQuantModel model = RotQuantModel.load(artifact, 1)) {
            Chat base = Chat.on(model).system("Tell stories about a dog and a cat who are friends.");
            int prefilled = base.prefillSystem();
            int[] prompt = base.prompt("Once upon a time");
            assertThat(model.tokenizer().decode(java.util.Arrays.copyOf(prompt, prefilled), true))
                    .isEqualTo("SYSTEM: Tell stories about a dog and a cat who are friends.\nUSER:");

            Chat first = base.fork();
            Generation.Result reply = first.send("Once upon a time", g -> g.maxTokens(12));
            assertThat(first.reused()).as("prompt tokens from the prefilled cache").isEqualTo(prefilled);
            Generation.Result fresh = Chat.on(model).system("Tell stories about a dog and a cat who are friends.")
                    .send("Once upon a time", g -> g.maxTokens(12));
            assertThat(reply.tokens()).isNotEmpty().containsExactly(fresh.tokens());

            Chat second = base.fork();
            Generation.Result again = second.send("Once upon a time", g -> g.maxTokens(12));
            assertThat(again.tokens()).as("a second fork, after the first one's turn").containsExactly(reply.tokens());
            assertThat(base.messages()).hasSize(1);
            assertThat(first.messages()).hasSize(3);
            first.send("Then what?", g -> g.maxTokens(4));
            org.assertj.core.api.Assertions.assertThatThrownBy(first::prefillSystem)
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aSavedConversationResumesInAnotherModelInstanceAsIfItHadGoneOn(@TempDir Path files) throws Exception {
        Path file = files.resolve("conversation.safetensors");
        Generation.Result expected;
        try (RotQuantModel model = RotQuantModel.load(artifact, 1)) {
            Chat chat = Chat.on(model).system("Tell stories.");
            chat.send("Once upon a time", g -> g.maxTokens(10));
            chat.save(file);
            expected = chat.send("Then what?", g -> g.maxTokens(10));
            assertThatThrownBy(() -> Chat.load(model, artifact)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(artifact + ": not a saved session (its format is 'rotquant')");
            Path plain = files.resolve("plain.safetensors");
            model.newSession().save(plain);
            assertThatThrownBy(() -> Chat.load(model, plain)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(plain + ": a saved session, not a saved conversation (no chat notes)");
        }
        try (RotQuantModel again = RotQuantModel.load(artifact, 1)) {
            Chat resumed = Chat.load(again, file);
            assertThat(resumed.messages()).hasSize(3);
            assertThat(resumed.messages().get(1)).isEqualTo(io.rotquant.runtime.chat.ChatMessage.user("Once upon a time"));
            Generation.Result reply = resumed.send("Then what?", g -> g.maxTokens(10));
            assertThat(reply.tokens()).isNotEmpty().containsExactly(expected.tokens());
            assertThat(resumed.reused()).as("prompt tokens from the saved cache").isGreaterThan(10);
        }
    }

    @Test
    void theTerminalChatSavesItsConversationAndResumesItWithTheSameReplies(@TempDir Path files) {
        Path file = files.resolve("talk.safetensors");
        CliRun first = chatCli("Once upon a time\n", "--conversation", file.toString(), "--system", "Tell stories.");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).contains("chat: saved 3 messages to " + file);
        CliRun second = chatCli("Then what?\n", "--conversation", file.toString());
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.err()).contains("chat: resumed 3 messages from " + file, "chat: saved 5 messages to " + file);

        try (RotQuantModel model = RotQuantModel.load(artifact, 1)) {
            Chat chat = Chat.on(model).system("Tell stories.");
            String one = chat.send("Once upon a time", g -> g.maxTokens(6)).text();
            String two = chat.send("Then what?", g -> g.maxTokens(6)).text();
            assertThat(first.out().strip()).isEqualTo(one.strip());
            assertThat(second.out().strip()).isEqualTo(two.strip());
        }
        CliRun both = chatCli("x\n", "--conversation", file.toString(), "--system", "Again.");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err().strip()).isEqualTo("rotquant: error: --system: the conversation in " + file
                + " already has its start; --system only begins a new one");
    }

    private static CliRun chatCli(String input, String... args) {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
            String[] all = Stream.concat(Stream.of("chat", "--artifact", artifact.toString(), "--max-tokens", "6"),
                    Stream.of(args)).toArray(String[]::new);
            return CliRun.of(all);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void theTerminalChatAnswersEachLine() {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream("Once upon a time\nThe dog\n\n".getBytes(StandardCharsets.UTF_8)));
            CliRun run = CliRun.of("chat", "--artifact", artifact.toString(), "--max-tokens", "6", "--system", "Be brief.");
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.err()).contains("[6 tokens in").containsPattern("(?s)\\[\\d+ tokens in .*\\[\\d+ tokens in ");
            assertThat(run.out().strip().lines().count()).isEqualTo(2);
        } finally {
            System.setIn(saved);
        }
        Path plain = dir.resolve("plain.rqm");
        assertThat(CliRun.of("compile", "--model", TestPaths.stories260K().toString(), "--out", plain.toString(),
                "--w-bits", "8", "--w-method", "rtn", "--quiet").exitCode()).isZero();
        CliRun none = CliRun.of("chat", "--artifact", plain.toString());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err().strip()).isEqualTo("rotquant: error: --artifact " + plain + ": the artifact has no chat"
                + " template (its checkpoint's tokenizer_config.json had none)");
    }
}
