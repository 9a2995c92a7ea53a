package io.rotquant.examples.quickstart;

import io.rotquant.runtime.model.RotQuantModel;
import java.nio.file.Path;

/** Loads a rotquant artifact and streams a story from a prompt. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: Main ARTIFACT PROMPT");
            System.exit(2);
        }
        try (RotQuantModel model = RotQuantModel.load(Path.of(args[0]))) {
            System.out.println(model.banner());
            System.out.print(args[1]);
            model.newSession().generate()
                    .maxTokens(120)
                    .temperature(0.5)
                    .topP(0.9)
                    .seed(42)
                    .onToken((token, piece) -> {
                        System.out.print(piece);
                        System.out.flush();
                    })
                    .run(model.tokenizer().encode(args[1]));
            System.out.println();
        }
    }
}
