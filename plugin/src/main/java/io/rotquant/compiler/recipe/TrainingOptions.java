package io.rotquant.compiler.recipe;

import static io.rotquant.compiler.recipe.RecipeParameter.ALPHA;
import static io.rotquant.compiler.recipe.RecipeParameter.ITERS;
import static io.rotquant.compiler.recipe.RecipeParameter.LOCAL_BLOCK;
import static io.rotquant.compiler.recipe.RecipeParameter.LR;
import static io.rotquant.compiler.recipe.RecipeParameter.ONLINE_THRESHOLD;
import static io.rotquant.compiler.recipe.RecipeParameter.TRAIN_BATCH;
import static io.rotquant.compiler.recipe.RecipeParameter.TRAIN_SEQLEN;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.model.VectorRotation;
import java.nio.file.Path;

/**
 * How learned rotations train (specification.md §7.3): {@code iters} Cayley SGD steps of
 * {@code batch} calibration windows of {@code seqlen} tokens (0 = the recipe's window length),
 * learning rate {@code lr} on a cosine schedule to 0. {@code iters} 0 keeps the initialisation.
 * For DFRot (§9.4) {@code iters} counts the Procrustes alternations and {@code alpha} weights the
 * massive-activation tokens. For DuaRot (§8) {@code variant}, {@code localBlock} and {@code init}
 * shape R1 = R_G·R_L, and {@code online} with {@code onlineThreshold} decides which online rotations
 * are trained matrices; {@code memory} is what a step holds. {@code rotations}, when not null, is
 * the file that keeps the learned matrices ({@code RotationsFile}): read instead of learning when it
 * exists, written after learning when it does not.
 */
public record TrainingOptions(int iters, double lr, int batch, int seqlen, double alpha, DualVariant variant,
        int localBlock, RotationInit init, OnlineChoice online, int onlineThreshold, TrainMemory memory,
        Path rotations) {
    /**
     * The published settings (SpinQuant's 100 steps × 8 windows at lr 1.5; DFRot's α = 100; DuaRot's
     * b = 64), except the online threshold: the crossover measured for the CPU runtime the artifact
     * runs on ({@link VectorRotation#MATMUL_CROSSOVER}) instead of the paper's GPU figure of 512.
     */
    public static final TrainingOptions DEFAULT = new TrainingOptions(Integer.parseInt(RecipeDefaults.ITERS),
            Double.parseDouble(RecipeDefaults.LR), Integer.parseInt(RecipeDefaults.TRAIN_BATCH),
            Integer.parseInt(RecipeDefaults.TRAIN_SEQLEN), Double.parseDouble(RecipeDefaults.ALPHA),
            DualVariant.parse(RecipeDefaults.ROTATION_VARIANT), Integer.parseInt(RecipeDefaults.LOCAL_BLOCK),
            RotationInit.parse(RecipeDefaults.INIT), OnlineChoice.parse(RecipeDefaults.ONLINE),
            Integer.parseInt(RecipeDefaults.ONLINE_THRESHOLD), TrainMemory.parse(RecipeDefaults.TRAIN_MEMORY), null);

    public TrainingOptions {
        if (iters < 0) {
            throw new InvalidInputException(ITERS.named() + " must be 0 or positive, got " + iters);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new InvalidInputException(LR.named() + " must be a positive number, got " + lr);
        }
        if (batch < 1) {
            throw new InvalidInputException(TRAIN_BATCH.named() + " must be positive, got " + batch);
        }
        if (!(alpha >= 1) || Double.isInfinite(alpha)) {
            throw new InvalidInputException(ALPHA.named() + " must be a number of at least 1, got " + alpha);
        }
        if (onlineThreshold < 1) {
            throw new InvalidInputException(ONLINE_THRESHOLD.named() + " must be positive, got " + onlineThreshold);
        }
        if (localBlock < 1) {
            throw new InvalidInputException(LOCAL_BLOCK.named() + " must be positive, got " + localBlock);
        }
        if (seqlen < 0) {
            throw new InvalidInputException(TRAIN_SEQLEN.named() + " must be positive, got " + seqlen);
        }
    }

    public TrainingOptions withRotations(Path file) {
        return new TrainingOptions(iters, lr, batch, seqlen, alpha, variant, localBlock, init, online, onlineThreshold,
                memory, file);
    }

    public TrainingOptions withInit(RotationInit newInit) {
        return new TrainingOptions(iters, lr, batch, seqlen, alpha, variant, localBlock, newInit, online, onlineThreshold,
                memory, rotations);
    }
}
