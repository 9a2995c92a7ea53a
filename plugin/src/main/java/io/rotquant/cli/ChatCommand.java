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
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rotquant chat}: a terminal conversation with an artifact through its checkpoint's chat
 * template. Each line read is a user turn; the reply streams to stdout; an empty line or the end
 * of input ends it.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Chat with an artifact in the terminal, through its checkpoint's chat template.")
final class ChatCommand implements Callable<Integer> {
    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--system", paramLabel = "TEXT", description = "The system prompt.")
    String system;

    @Mixin
    SamplingOptions sampling;

    @Override
    public Integer call() throws IOException {
        sampling.check();
        try (RotQuantModel model = runtime.load()) {
            Chat chat;
            try {
                chat = Chat.on(model);
            } catch (IllegalStateException | TemplateException e) {
                throw new InvalidInputException("--artifact " + runtime.artifact + ": " + e.getMessage(), e);
            }
            if (system != null) {
                chat.system(system);
            }
            System.err.println(model.banner());
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
        }
        return 0;
    }

    private static String prompt(BufferedReader in) throws IOException {
        System.err.print("> ");
        System.err.flush();
        return in.readLine();
    }
}
