package io.rotquant.runtime.model;

import java.util.SplittableRandom;

/**
 * Picks the next token from logits: repetition penalty on the tokens seen so far, then greedy at
 * temperature 0, else softmax at the temperature restricted by min-p (weight at least minP × the
 * top weight), top-k and nucleus top-p, and a draw from the seeded generator. Works on primitive
 * scratch arrays reused across calls, and never sorts the vocabulary: top-k is a selection, top-p
 * pops a heap only until the nucleus holds its mass. One sampler per generation (not thread-safe).
 */
final class Sampler {
    private final double temperature;
    private final int topK;
    private final double topP;
    private final double minP;
    private final double repetitionPenalty;
    private final SplittableRandom random;
    private double[] weight = new double[0];
    private int[] candidates = new int[0];

    Sampler(double temperature, int topK, double topP, double minP, double repetitionPenalty, long seed) {
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.minP = minP;
        this.repetitionPenalty = repetitionPenalty;
        this.random = new SplittableRandom(seed);
    }

    /** The next token; {@code seen} marks the tokens the repetition penalty applies to (may be null). */
    int sample(float[] logits, boolean[] seen) {
        int n = logits.length;
        if (weight.length < n) {
            weight = new double[n];
            candidates = new int[n];
        }
        int best = 0;
        double bestLogit = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double l = penalized(logits[i], seen != null && seen[i]);
            weight[i] = l;
            if (l > bestLogit) {
                bestLogit = l;
                best = i;
            }
        }
        if (temperature == 0) {
            return best;
        }
        int count = 0;
        for (int i = 0; i < n; i++) {
            double w = Math.exp((weight[i] - bestLogit) / temperature);
            weight[i] = w;
            if (w > 0 && w >= minP) {
                candidates[count++] = i;
            }
        }
        if (topK > 0 && count > topK) {
            selectLargest(count, topK);
            count = topK;
        }
        count = nucleus(count);
        double total = 0;
        for (int i = 0; i < count; i++) {
            total += weight[candidates[i]];
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < count; i++) {
            r -= weight[candidates[i]];
            if (r <= 0) {
                return candidates[i];
            }
        }
        return candidates[count - 1];
    }

    private double penalized(float logit, boolean seen) {
        if (!seen || repetitionPenalty == 1) {
            return logit;
        }
        return logit > 0 ? logit / repetitionPenalty : logit * repetitionPenalty;
    }

    /** Moves the k heaviest of candidates[0, count) to the front (Hoare selection, expected linear). */
    private void selectLargest(int count, int k) {
        int lo = 0;
        int hi = count - 1;
        while (lo < hi) {
            double pivot = weight[candidates[(lo + hi) >>> 1]];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (weight[candidates[i]] > pivot) {
                    i++;
                }
                while (weight[candidates[j]] < pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(i++, j--);
                }
            }
            if (k - 1 <= j) {
                hi = j;
            } else if (k - 1 >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    /**
     * Orders the heaviest candidates first until they hold topP of the mass, and returns how many:
     * a max-heap over the candidates, popped into the array's tail, so only the nucleus is ordered.
     */
    private int nucleus(int count) {
        if (topP >= 1) {
            return count;
        }
        double total = 0;
        for (int i = 0; i < count; i++) {
            total += weight[candidates[i]];
        }
        for (int i = count / 2 - 1; i >= 0; i--) {
            siftDown(i, count);
        }
        double kept = 0;
        int taken = 0;
        int size = count;
        while (size > 0 && (taken == 0 || kept < topP * total)) {
            kept += weight[candidates[0]];
            swap(0, --size);
            siftDown(0, size);
            taken++;
        }
        // The popped ones sit at the tail, heaviest last: move them to the front, heaviest first.
        int[] tail = new int[taken];
        for (int i = 0; i < taken; i++) {
            tail[i] = candidates[count - 1 - i];
        }
        System.arraycopy(tail, 0, candidates, 0, taken);
        return taken;
    }

    private void siftDown(int at, int size) {
        int i = at;
        while (true) {
            int largest = i;
            int left = 2 * i + 1;
            int right = left + 1;
            if (left < size && weight[candidates[left]] > weight[candidates[largest]]) {
                largest = left;
            }
            if (right < size && weight[candidates[right]] > weight[candidates[largest]]) {
                largest = right;
            }
            if (largest == i) {
                return;
            }
            swap(i, largest);
            i = largest;
        }
    }

    private void swap(int a, int b) {
        int t = candidates[a];
        candidates[a] = candidates[b];
        candidates[b] = t;
    }
}
