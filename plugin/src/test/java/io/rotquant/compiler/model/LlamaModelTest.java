package io.rotquant.compiler.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.TorchTestSupport;
import io.rotquant.compiler.eval.GreedyGenerator;
import io.rotquant.compiler.eval.Perplexity;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.compiler.torch.Tensors;
import io.rotquant.runtime.TestPaths;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class LlamaModelTest {

    @Test
    void batchedForwardEqualsOneSequenceAtATime() {
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), RotationKind.NONE, 0);
                PointerScope scope = new PointerScope()) {
            int[] a = prepared.tokenizer().encode("Once upon a time there was a cat.");
            int[] b = prepared.tokenizer().encode("The dog ran to the park and saw a big tree!");
            int length = Math.min(a.length, b.length);
            long[] both = new long[2 * length];
            for (int i = 0; i < length; i++) {
                both[i] = a[i];
                both[length + i] = b[i];
            }
            double[] batched = Tensors.toDoubles(prepared.model().logits(Tensors.longs(both, 2, length)));
            double[] first = Tensors.toDoubles(prepared.model().logits(Tensors.longs(java.util.Arrays.copyOf(both, length), 1, length)));
            double[] second = Tensors.toDoubles(prepared.model().logits(
                    Tensors.longs(java.util.Arrays.copyOfRange(both, length, 2 * length), 1, length)));
            for (int i = 0; i < first.length; i++) {
                assertThat(batched[i]).isCloseTo(first[i], org.assertj.core.data.Offset.offset(1e-4));
                assertThat(batched[first.length + i]).isCloseTo(second[i], org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    void logitsAreCausal() {
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), RotationKind.NONE, 0);
                PointerScope scope = new PointerScope()) {
            long[] ids = {1, 400, 30, 200, 77, 9};
            long[] changedLast = ids.clone();
            changedLast[5] = 300;
            Tensor x = prepared.model().logits(Tensors.longs(ids, 1, 6)).narrow(1, 0, 5);
            Tensor y = prepared.model().logits(Tensors.longs(changedLast, 1, 6)).narrow(1, 0, 5);
            assertThat(x.sub(y).abs().max().item_double()).isZero();
        }
    }

    @Test
    void sequencesLongerThanTheContextAreRefused() {
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), RotationKind.NONE, 0)) {
            int[] tokens = new int[2000];
            assertThatThrownBy(() -> Perplexity.evaluate(prepared.model(), tokens, 1024, 0, w -> { }))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("--seqlen 1024 must be between 2 and the model's context (config.json max_position_embeddings = 512)");
            assertThatThrownBy(() -> GreedyGenerator.generate(prepared.model(), new int[500], 20))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("prompt (500 tokens) plus 20 new tokens exceeds the model's context "
                            + "(config.json max_position_embeddings = 512)");
        }
    }
}
