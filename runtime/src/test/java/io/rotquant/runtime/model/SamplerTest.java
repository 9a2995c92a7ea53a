package io.rotquant.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The sampler's filters and its draw, on logits whose probabilities are known. */
class SamplerTest {
    private static final int DRAWS = 20_000;

    private static double[] frequencies(Sampler sampler, float[] logits, boolean[] seen) {
        double[] f = new double[logits.length];
        for (int i = 0; i < DRAWS; i++) {
            f[sampler.sample(logits, seen)] += 1.0 / DRAWS;
        }
        return f;
    }

    private static float[] logitsOf(double... probabilities) {
        float[] l = new float[probabilities.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = (float) Math.log(probabilities[i]);
        }
        return l;
    }

    @Test
    void temperatureZeroAndTheNarrowestFiltersPickTheLargestLogit() {
        float[] logits = {0.1f, 2.5f, -1f, 2.4f};
        assertThat(new Sampler(0, 0, 1, 0, 1, 0).sample(logits, null)).isEqualTo(1);
        assertThat(IntStream.range(0, 200).map(i -> new Sampler(1.0, 1, 1, 0, 1, i).sample(logits, null)).distinct())
                .containsExactly(1);
        assertThat(IntStream.range(0, 200).map(i -> new Sampler(1.0, 0, 1e-6, 0, 1, i).sample(logits, null)).distinct())
                .containsExactly(1);
        assertThat(IntStream.range(0, 200).map(i -> new Sampler(1.0, 0, 1, 1.0, 1, i).sample(logits, null)).distinct())
                .containsExactly(1);
    }

    @Test
    void drawsFollowTheSoftmaxAndTheFiltersRenormalize() {
        float[] logits = logitsOf(0.5, 0.3, 0.15, 0.05);
        double[] all = frequencies(new Sampler(1.0, 0, 1, 0, 1, 7), logits, null);
        assertThat(all[0]).isCloseTo(0.5, within(0.02));
        assertThat(all[3]).isCloseTo(0.05, within(0.01));
        // Top-k 2: the two largest, 5 : 3.
        double[] topK = frequencies(new Sampler(1.0, 2, 1, 0, 1, 7), logits, null);
        assertThat(topK[2] + topK[3]).isZero();
        assertThat(topK[0]).isCloseTo(0.625, within(0.02));
        // Top-p 0.7: 0.5 is not enough, 0.5 + 0.3 is: the same two.
        double[] topP = frequencies(new Sampler(1.0, 0, 0.7, 0, 1, 7), logits, null);
        assertThat(topP[2] + topP[3]).isZero();
        assertThat(topP[1]).isCloseTo(0.375, within(0.02));
        // Min-p 0.2: weight at least 0.2 × 0.5 = 0.1, so 0.05 goes.
        double[] minP = frequencies(new Sampler(1.0, 0, 1, 0.2, 1, 7), logits, null);
        assertThat(minP[3]).isZero();
        assertThat(minP[2]).isCloseTo(0.15 / 0.95, within(0.015));
        // Temperature 2 flattens: p ∝ sqrt(p).
        double[] hot = frequencies(new Sampler(2.0, 0, 1, 0, 1, 7), logits, null);
        double z = Math.sqrt(0.5) + Math.sqrt(0.3) + Math.sqrt(0.15) + Math.sqrt(0.05);
        assertThat(hot[3]).isCloseTo(Math.sqrt(0.05) / z, within(0.015));
    }

    @Test
    void theRepetitionPenaltyPushesSeenTokensDownWhateverTheirSign() {
        boolean[] first = {true, false};
        assertThat(new Sampler(0, 0, 1, 0, 1.5, 0).sample(new float[] {2.0f, 1.9f}, first)).isEqualTo(1);
        assertThat(new Sampler(0, 0, 1, 0, 1.0, 0).sample(new float[] {2.0f, 1.9f}, first)).isEqualTo(0);
        assertThat(new Sampler(0, 0, 1, 0, 1.5, 0).sample(new float[] {-1.0f, -1.2f}, first)).isEqualTo(1);
    }

    @Test
    void theSameSeedDrawsTheSameSequence() {
        float[] logits = logitsOf(0.4, 0.3, 0.2, 0.1);
        Sampler a = new Sampler(0.8, 3, 0.9, 0.01, 1.1, 42);
        Sampler b = new Sampler(0.8, 3, 0.9, 0.01, 1.1, 42);
        boolean[] seen = {false, true, false, false};
        int[] drawsA = IntStream.range(0, 100).map(i -> a.sample(logits, seen)).toArray();
        int[] drawsB = IntStream.range(0, 100).map(i -> b.sample(logits, seen)).toArray();
        assertThat(drawsA).containsExactly(drawsB).contains(0, 1, 2).doesNotContain(3);
    }
}
