package io.rotquant.compiler.eval;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.model.LlamaModel;
import io.rotquant.compiler.torch.Tensors;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Greedy (argmax) continuation of a prompt, recomputing the full prefix each step. */
public final class GreedyGenerator {
    private GreedyGenerator() {
    }

    /** The prompt followed by up to {@code newTokens} tokens; stops early at any of {@code stopIds}. */
    public static int[] generate(LlamaModel model, int[] prompt, int newTokens, int... stopIds) {
        int limit = model.config().maxPositions();
        if (prompt.length + newTokens > limit) {
            throw new InvalidInputException("prompt (" + prompt.length + " tokens) plus " + newTokens
                    + " new tokens exceeds the model's context (config.json max_position_embeddings = " + limit + ")");
        }
        int[] out = Arrays.copyOf(prompt, prompt.length + newTokens);
        int length = prompt.length;
        for (int step = 0; step < newTokens; step++) {
            int next;
            try (PointerScope scope = new PointerScope()) {
                long[] ids = Arrays.stream(out, 0, length).asLongStream().toArray();
                Tensor logits = model.logits(Tensors.longs(ids, 1, length).to(model.device(), ScalarType.Long));
                next = (int) logits.select(1, length - 1).argmax().item_double();
            }
            out[length++] = next;
            for (int stop : stopIds) {
                if (next == stop) {
                    return Arrays.copyOf(out, length);
                }
            }
        }
        return out;
    }
}
