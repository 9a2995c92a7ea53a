package io.rotquant.compiler.torch;

import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Runs a unit of tensor work inside its own {@link PointerScope}, so every intermediate is freed
 * when it ends, and hands back only the result.
 */
public final class NativeScope {
    private NativeScope() {
    }

    /**
     * The result of {@code work} (may be null), moved to the enclosing scope (freed with it).
     * Without an enclosing scope the caller owns it and must {@code releaseReference()} it.
     */
    public static Tensor keep(Supplier<Tensor> work) {
        return keep(work, Stream::ofNullable);
    }

    /** As {@link #keep(Supplier)} for a result made of several tensors, listed by {@code tensors}. */
    public static <T> T keep(Supplier<T> work, Function<T, Stream<Tensor>> tensors) {
        T result;
        try (PointerScope scope = new PointerScope()) {
            result = work.get();
            tensors.apply(result).forEach(Tensor::retainReference);
        }
        PointerScope outer = PointerScope.getInnerScope();
        if (outer != null) {
            tensors.apply(result).forEach(t -> {
                outer.attach(t);
                t.releaseReference();
            });
        }
        return result;
    }

    /** The result of {@code work} (may be null), owned by the caller whatever scopes are open. */
    public static Tensor owned(Supplier<Tensor> work) {
        try (PointerScope scope = new PointerScope()) {
            Tensor result = work.get();
            if (result != null) {
                result.retainReference();
            }
            return result;
        }
    }
}
