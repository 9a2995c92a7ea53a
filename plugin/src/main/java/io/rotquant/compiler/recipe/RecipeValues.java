package io.rotquant.compiler.recipe;

import static io.rotquant.compiler.recipe.RecipeParameter.A_BITS;
import static io.rotquant.compiler.recipe.RecipeParameter.A_CLIP;
import static io.rotquant.compiler.recipe.RecipeParameter.ALPHA;
import static io.rotquant.compiler.recipe.RecipeParameter.CALIBRATION;
import static io.rotquant.compiler.recipe.RecipeParameter.GPTQ_ACT_ORDER;
import static io.rotquant.compiler.recipe.RecipeParameter.GPTQ_DAMP;
import static io.rotquant.compiler.recipe.RecipeParameter.GPTQ_STATIC_GROUPS;
import static io.rotquant.compiler.recipe.RecipeParameter.INIT;
import static io.rotquant.compiler.recipe.RecipeParameter.ITERS;
import static io.rotquant.compiler.recipe.RecipeParameter.KV_BITS;
import static io.rotquant.compiler.recipe.RecipeParameter.KV_CLIP;
import static io.rotquant.compiler.recipe.RecipeParameter.LOCAL_BLOCK;
import static io.rotquant.compiler.recipe.RecipeParameter.LR;
import static io.rotquant.compiler.recipe.RecipeParameter.NSAMPLES;
import static io.rotquant.compiler.recipe.RecipeParameter.ONLINE;
import static io.rotquant.compiler.recipe.RecipeParameter.ONLINE_THRESHOLD;
import static io.rotquant.compiler.recipe.RecipeParameter.ROTATION;
import static io.rotquant.compiler.recipe.RecipeParameter.ROTATIONS;
import static io.rotquant.compiler.recipe.RecipeParameter.ROTATION_VARIANT;
import static io.rotquant.compiler.recipe.RecipeParameter.SEED;
import static io.rotquant.compiler.recipe.RecipeParameter.SEQLEN;
import static io.rotquant.compiler.recipe.RecipeParameter.TRAIN_BATCH;
import static io.rotquant.compiler.recipe.RecipeParameter.TRAIN_MEMORY;
import static io.rotquant.compiler.recipe.RecipeParameter.TRAIN_SEQLEN;
import static io.rotquant.compiler.recipe.RecipeParameter.W_BITS;
import static io.rotquant.compiler.recipe.RecipeParameter.W_CLIP;
import static io.rotquant.compiler.recipe.RecipeParameter.W_GROUP;
import static io.rotquant.compiler.recipe.RecipeParameter.W_METHOD;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.quant.GptqOptions;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.runtime.json.Json;
import io.rotquant.runtime.json.JsonException;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A recipe's settings as text, keyed by {@link RecipeParameter}, from any front end (the CLI's
 * options, a Maven goal's parameters, the recipe JSON an artifact records or a forked compiler
 * receives) and parsed into one {@link Recipe} by one piece of code. A setting not given takes its
 * artifact default; a value that does not parse is refused in one line that names its parameter.
 */
public final class RecipeValues {
    private final Map<RecipeParameter, String> values = new EnumMap<>(RecipeParameter.class);

    /** Sets {@code parameter} to {@code value}'s text; null leaves it unset (its default). */
    public RecipeValues set(RecipeParameter parameter, Object value) {
        if (parameter.jsonKey() == null) {
            throw new IllegalArgumentException(parameter + " is a setting of the run, not of the recipe");
        }
        if (value == null) {
            values.remove(parameter);
        } else {
            values.put(parameter, value.toString());
        }
        return this;
    }

    /**
     * The recipe settings an object holds in fields named as the parameters' Maven names (a Maven
     * goal's parameters, the CLI's options: both declare each setting under that name), read by name
     * so that neither front end lists the settings again. A null field is unset.
     */
    public static RecipeValues of(Object settings) {
        RecipeValues out = new RecipeValues();
        for (RecipeParameter p : RecipeParameter.values()) {
            if (p.jsonKey() != null) {
                out.set(p, field(settings, p.mavenName()));
            }
        }
        return out;
    }

    private static Object field(Object holder, String name) {
        for (Class<?> c = holder.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(holder);
            } catch (NoSuchFieldException e) {
                // declared further up, if at all
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(holder.getClass().getName() + " has no field '" + name + "' for its recipe");
    }

    /** The settings of a recipe JSON object ({@link Recipe#toJson()}); its label and unknown keys are refused. */
    public static RecipeValues fromJson(String where, String text) {
        Map<String, Object> members;
        try {
            members = Json.parseObject(text);
        } catch (JsonException e) {
            throw new InvalidInputException(where + ": not a recipe JSON object (" + e.getMessage() + ")", e);
        }
        RecipeValues out = new RecipeValues();
        for (Map.Entry<String, Object> m : members.entrySet()) {
            if (m.getKey().equals(Recipe.LABEL_KEY)) {
                continue;
            }
            RecipeParameter p = RecipeParameter.ofJsonKey(m.getKey()).orElseThrow(
                    () -> new InvalidInputException(where + ": '" + m.getKey() + "' is not a recipe setting"));
            boolean embedded = p == CALIBRATION && Recipe.EMBEDDED_CALIBRATION.equals(m.getValue());
            out.set(p, embedded ? null : m.getValue());
        }
        return out;
    }

    /** The recipe these settings give, validated. */
    public Recipe recipe() {
        TrainingOptions training = new TrainingOptions(integer(ITERS), number(LR), integer(TRAIN_BATCH),
                integer(TRAIN_SEQLEN), number(ALPHA), DualVariant.parse(text(ROTATION_VARIANT)), integer(LOCAL_BLOCK),
                RotationInit.parse(text(INIT)), OnlineChoice.parse(text(ONLINE)), integer(ONLINE_THRESHOLD),
                TrainMemory.parse(text(TRAIN_MEMORY)), path(ROTATIONS));
        return new Recipe(RotationKind.parse(text(ROTATION)), whole(SEED), integer(W_BITS),
                WeightMethod.parse(text(W_METHOD)), integer(W_GROUP), bool(W_CLIP), integer(A_BITS), number(A_CLIP),
                integer(KV_BITS), number(KV_CLIP), path(CALIBRATION), integer(NSAMPLES),
                integer(SEQLEN), new GptqOptions(GptqOptions.BLOCK_SIZE, number(GPTQ_DAMP), bool(GPTQ_ACT_ORDER),
                        bool(GPTQ_STATIC_GROUPS)), training);
    }

    private Path path(RecipeParameter p) {
        String v = text(p);
        return v == null ? null : Path.of(v);
    }

    private String text(RecipeParameter p) {
        return values.getOrDefault(p, p.artifactDefault());
    }

    private long whole(RecipeParameter p) {
        return parsed(p, Long::parseLong, "a whole number");
    }

    private int integer(RecipeParameter p) {
        long v = whole(p);
        if (v != (int) v) {
            throw new InvalidInputException(p.named() + ": " + v + " is out of range");
        }
        return (int) v;
    }

    private double number(RecipeParameter p) {
        return parsed(p, Double::parseDouble, "a number");
    }

    private <T> T parsed(RecipeParameter p, Function<String, T> parse, String expected) {
        String v = text(p);
        try {
            return parse.apply(v);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(p.named() + ": '" + v + "' is not " + expected, e);
        }
    }

    private boolean bool(RecipeParameter p) {
        String v = text(p).toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new InvalidInputException(p.named() + ": '" + v + "' is not true or false");
        }
        return v.equals("true");
    }
}
