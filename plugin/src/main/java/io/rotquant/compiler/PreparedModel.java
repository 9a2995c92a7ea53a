package io.rotquant.compiler;

import io.rotquant.compiler.checkpoint.Checkpoint;
import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.model.LlamaModel;
import io.rotquant.compiler.model.ModelWeights;
import io.rotquant.compiler.model.OnlineRotations;
import io.rotquant.compiler.model.WeightLoader;
import io.rotquant.compiler.rotation.ModelRotator;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.compiler.torch.Torch;
import io.rotquant.runtime.tokenizer.Tokenizer;
import io.rotquant.runtime.tokenizer.TokenizerException;
import java.nio.file.Path;

/**
 * A checkpoint loaded for evaluation: its tokenizer and its forward pass, rotated as asked.
 * Owns the weights; close it to free them.
 */
public final class PreparedModel implements AutoCloseable {
    private final Checkpoint checkpoint;
    private final Tokenizer tokenizer;
    private final ModelWeights weights;
    private final LlamaModel model;

    private PreparedModel(Checkpoint checkpoint, Tokenizer tokenizer, ModelWeights weights, LlamaModel model) {
        this.checkpoint = checkpoint;
        this.tokenizer = tokenizer;
        this.weights = weights;
        this.model = model;
    }

    public static PreparedModel open(Path directory, RotationKind rotation, long seed, ComputeDType dtype) {
        Checkpoint checkpoint = Checkpoint.open(directory);
        Tokenizer tokenizer;
        try {
            tokenizer = Tokenizer.load(directory.resolve("tokenizer.json"));
        } catch (TokenizerException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
        WeightLoader loader = new WeightLoader(checkpoint, dtype.scalarType(), Torch.device());
        ModelWeights weights;
        OnlineRotations online;
        if (rotation == RotationKind.NONE) {
            weights = loader.load();
            online = OnlineRotations.NONE;
        } else {
            ModelRotator rotator = ModelRotator.create(checkpoint.config(), rotation, seed, Torch.device());
            weights = loader.load(rotator);
            online = rotator.online();
        }
        LlamaModel model = new LlamaModel(checkpoint.config(), weights, online, dtype.scalarType(), Torch.device());
        return new PreparedModel(checkpoint, tokenizer, weights, model);
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public LlamaModel model() {
        return model;
    }

    @Override
    public void close() {
        weights.close();
    }
}
