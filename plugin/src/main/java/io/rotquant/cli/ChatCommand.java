package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.chat.Chat;
import io.rotquant.runtime.chat.TemplateException;
import io.rotquant.runtime.model.Generation;
import io.rotquant.runtime.model.RotQuantModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rotquant chat}: a terminal conversation with an artifact through its checkpoint's chat
 * template. Each line read is a user turn; the reply streams to stdout; an empty line or the end
 * of input ends it. With {@code --conversation FILE} it resumes the conversation saved there (its
 * cache too) and saves it back when it ends.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Chat with an artifact in the terminal, through its checkpoint's chat template.")
final class ChatCommand implements Callable<Integer> {
    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--system", paramLabel = "TEXT", description = "The system prompt.")
    String system;

    @Option(names = "--conversation", paramLabel = "FILE",
            description = "Resume the conversation saved in FILE when it exists, and save it there when the chat ends.")
    Path conversation;

    @Mixin
    SamplingOptions sampling;

    @Override
    public Integer call() throws IOException {
        sampling.check();
        try (RotQuantModel model = runtime.load()) {
            Chat chat = open(model);
            System.err.println(model.banner());
            if (!chat.messages().isEmpty() && conversation != null && Files.exists(conversation)) {
                System.err.println("chat: resumed " + chat.messages().size() + " messages from " + conversation);
            }
            System.err.println("chat: one line per turn; an empty line or end of input ends the conversation");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = prompt(in); line != null && !line.isBlank(); line = prompt(in)) {
                long start = System.nanoTime();
                Generation.Result reply;
                try {
                    reply = chat.send(line, sampling::printing);
                } catch (TemplateException e) {
                    throw new InvalidInputException("--artifact " + runtime.artifact + ": chat template: " + e.getMessage(), e);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.println();
                System.err.printf(Locale.ROOT, "[%d tokens in %.2f s, finished by %s]%n", reply.tokens().length, seconds,
                        reply.finishReason().name().toLowerCase(Locale.ROOT));
            }
            if (conversation != null) {
                chat.save(conversation);
                System.err.println("chat: saved " + chat.messages().size() + " messages to " + conversation);
            }
        }
        return 0;
    }

    /** A new conversation (with --system), or the one saved in --conversation. */
    private Chat open(RotQuantModel model) {
        try {
            if (conversation != null && Files.exists(conversation)) {
                if (system != null) {
                    throw new InvalidInputException("--system: the conversation in " + conversation
                            + " already has its start; --system only begins a new one");
                }
                return Chat.load(model, conversation);
            }
            Chat chat = Chat.on(model);
            return system == null ? chat : chat.system(system);
        } catch (IllegalStateException | TemplateException e) {
            throw new InvalidInputException("--artifact " + runtime.artifact + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--conversation " + e.getMessage(), e);
        }
    }

    private static String prompt(BufferedReader in) throws IOException {
        System.err.print("> ");
        System.err.flush();
        return in.readLine();
    }
}
