package io.rotquant.compiler.zeroshot;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.json.JsonException;
import io.rotquant.runtime.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The seven zero-shot tasks of the papers, read from the shared data directory (llm-foundry JSON
 * lines; HellaSwag from its six-lines-per-item text file), with lm-evaluation-harness prompts:
 * {@code "Question: …\nAnswer:"} + {@code " choice"} for PIQA and ARC, {@code "…\nAnswer:"} +
 * {@code " no"/" yes"} for BoolQ, partial scoring for WinoGrande (the rest of the sentence after
 * each filled-in option), {@code " " + last word} for LAMBADA, {@code "label: context"} +
 * {@code " ending"} for HellaSwag.
 */
public enum ZeroShotTask {
    PIQA("piqa", "llm-foundry-eval/piqa.jsonl", true, ZeroShotTask::questionAnswer),
    ARC_EASY("arc_easy", "llm-foundry-eval/arc_easy.jsonl", true, ZeroShotTask::questionAnswer),
    ARC_CHALLENGE("arc_challenge", "llm-foundry-eval/arc_challenge.jsonl", true, ZeroShotTask::questionAnswer),
    BOOLQ("boolq", "llm-foundry-eval/boolq.jsonl", false, ZeroShotTask::questionAnswer),
    WINOGRANDE("winogrande", "llm-foundry-eval/winogrande.jsonl", false, ZeroShotTask::winogrande),
    LAMBADA("lambada", "llm-foundry-eval/lambada_openai.jsonl", false, ZeroShotTask::lambada),
    HELLASWAG("hellaswag", "hellaswag/hellaswag_val_full.txt.bz2", true, null);

    private final String id;
    private final String file;
    private final boolean hasAccNorm;
    private final Function<JsonObject, Question> parser;

    ZeroShotTask(String id, String file, boolean hasAccNorm, Function<JsonObject, Question> parser) {
        this.id = id;
        this.file = file;
        this.hasAccNorm = hasAccNorm;
        this.parser = parser;
    }

    public String id() {
        return id;
    }

    /** Whether the papers' metric for this task is acc_norm (else acc). */
    public boolean hasAccNorm() {
        return hasAccNorm;
    }

    /** LAMBADA is scored by greedy exact match of its one continuation. */
    public boolean greedy() {
        return this == LAMBADA;
    }

    public static ZeroShotTask parse(String name) {
        for (ZeroShotTask task : values()) {
            if (task.id.equals(name.toLowerCase(Locale.ROOT).replace('-', '_'))) {
                return task;
            }
        }
        throw new InvalidInputException("--tasks: unknown task '" + name + "' (piqa, arc_easy, arc_challenge, boolq, "
                + "winogrande, lambada, hellaswag)");
    }

    /** The first {@code limit} questions (all when 0). */
    public List<Question> load(Path dataDir, int limit) {
        Path path = dataDir.resolve(file);
        try {
            return this == HELLASWAG ? hellaswag(path, limit) : jsonLines(path, limit);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("--data-dir: " + path + " not found (task " + id + ")");
        } catch (IOException e) {
            throw new InvalidInputException(path + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private List<Question> jsonLines(Path path, int limit) throws IOException {
        List<Question> out = new ArrayList<>();
        int lineNumber = 0;
        for (String line : Files.readAllLines(path)) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(parser.apply(JsonObject.parse(path + " line " + lineNumber, line)));
            } catch (JsonException | IndexOutOfBoundsException e) {
                throw new InvalidInputException(path + " line " + lineNumber + ": " + e.getMessage());
            }
            if (limit > 0 && out.size() == limit) {
                break;
            }
        }
        return out;
    }

    private static Question questionAnswer(JsonObject item) {
        String context = item.string("query").strip() + "\nAnswer:";
        List<Choice> choices = new ArrayList<>();
        for (Object choice : item.array("choices")) {
            String text = String.valueOf(choice);
            choices.add(new Choice(context, " " + text, text.length()));
        }
        return new Question(choices, gold(item, choices.size()));
    }

    private static Question winogrande(JsonObject item) {
        String continuation = " " + item.string("continuation");
        List<Choice> choices = new ArrayList<>();
        for (Object option : item.array("context_options")) {
            choices.add(new Choice(String.valueOf(option), continuation, continuation.length() - 1));
        }
        return new Question(choices, gold(item, choices.size()));
    }

    private static Question lambada(JsonObject item) {
        String word = item.string("continuation");
        return new Question(List.of(new Choice(item.string("context"), " " + word, word.length())), 0);
    }

    private static int gold(JsonObject item, int choices) {
        long gold = item.integer("gold");
        if (gold < 0 || gold >= choices) {
            throw new JsonException(item.where() + ": 'gold' " + gold + " is not a choice index");
        }
        return (int) gold;
    }

    /** Six lines per item: "label: context", the gold index, four endings. */
    private static List<Question> hellaswag(Path path, int limit) throws IOException {
        List<Question> out = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream(Files.newInputStream(path)),
                StandardCharsets.UTF_8))) {
            while (limit == 0 || out.size() < limit) {
                String context = reader.readLine();
                if (context == null) {
                    break;
                }
                String label = reader.readLine();
                List<Choice> choices = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    String ending = reader.readLine();
                    if (ending == null || label == null) {
                        throw new InvalidInputException(path + ": truncated item " + (out.size() + 1));
                    }
                    choices.add(new Choice(context.strip(), " " + ending.strip(), ending.strip().length()));
                }
                try {
                    out.add(new Question(choices, Integer.parseInt(label.strip())));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException(path + ": item " + (out.size() + 1) + " has label '" + label + "'");
                }
            }
        }
        return out;
    }
}
