package io.rotquant.compiler.torch;

import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.LayoutOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Small conversions between Java arrays and tensors that the Bytedeco API makes verbose. */
public final class Tensors {
    private Tensors() {
    }

    public static long[] shape(Tensor t) {
        long[] shape = new long[(int) t.dim()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.size(i);
        }
        return shape;
    }

    public static Scalar scalar(double value) {
        return new Scalar(value);
    }

    /**
     * {@code quantize(x)} as the forward value; when {@code x} carries gradients, the straight-through
     * estimator (specification.md §5.6): the gradient passes to {@code x} unchanged, none to the quantizer.
     */
    public static Tensor straightThrough(Tensor x, java.util.function.UnaryOperator<Tensor> quantize) {
        if (!x.requires_grad()) {
            return quantize.apply(x);
        }
        Tensor detached = x.detach();
        return x.add(quantize.apply(detached).sub(detached));
    }

    /** An uninitialised tensor of {@code shape}, {@code type}, on {@code device}. */
    public static Tensor empty(long[] shape, ScalarType type, Device device) {
        return torch.empty(shape, new ScalarTypeOptional(type), new LayoutOptional(), new DeviceOptional(device),
                new BoolOptional(), new MemoryFormatOptional());
    }

    /** A float64 CPU tensor of the given shape holding {@code values} (row-major). */
    public static Tensor doubles(double[] values, long... shape) {
        return AbstractTensor.create(values).view(shape);
    }

    /** A float64 CPU matrix from a rectangular array. */
    public static Tensor matrix(double[][] rows) {
        int cols = rows[0].length;
        double[] flat = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return doubles(flat, rows.length, cols);
    }

    /** An int64 CPU tensor of token ids with the given shape. */
    public static Tensor longs(long[] values, long... shape) {
        return AbstractTensor.create(values).view(shape);
    }

    /** All values of a tensor as float64, copied to the Java heap (small tensors only). */
    public static double[] toDoubles(Tensor t) {
        Tensor d = t.to(org.bytedeco.pytorch.global.torch.ScalarType.Double).contiguous()
                .to(new org.bytedeco.pytorch.Device(org.bytedeco.pytorch.global.torch.DeviceType.CPU),
                        org.bytedeco.pytorch.global.torch.ScalarType.Double);
        double[] out = new double[(int) d.numel()];
        d.data_ptr_double().get(out);
        return out;
    }
}
