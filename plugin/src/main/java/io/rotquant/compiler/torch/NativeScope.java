package io.rotquant.compiler.torch;

import java.util.function.Supplier;
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
        Tensor result = owned(work);
        PointerScope outer = PointerScope.getInnerScope();
        if (outer != null && result != null) {
            outer.attach(result);
            result.releaseReference();
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
