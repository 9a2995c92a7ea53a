package io.rotquant.compiler.torch;

import static io.rotquant.compiler.recipe.RecipeParameter.DEVICE;

import io.rotquant.compiler.InvalidInputException;
import java.util.Locale;

/**
 * The {@code device} setting: {@code cpu}, {@code cuda} (card 0), {@code cuda:N}, or {@code auto}
 * (the first card when this machine can run LibTorch's GPU build, the CPU otherwise).
 */
public record DeviceChoice(Kind kind, int index) {
    public enum Kind { CPU, CUDA, AUTO }

    public static final DeviceChoice CPU = new DeviceChoice(Kind.CPU, 0);
    public static final String VALUES = "cpu, cuda, cuda:N, auto";

    public DeviceChoice {
        if (index < 0 || (kind != Kind.CUDA && index != 0)) {
            throw new IllegalArgumentException(kind + ":" + index);
        }
    }

    /** Parses {@code value} ({@code cpu | cuda | cuda:N | auto}, any case). */
    public static DeviceChoice parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "cpu":
                return CPU;
            case "cuda":
                return new DeviceChoice(Kind.CUDA, 0);
            case "auto":
                return new DeviceChoice(Kind.AUTO, 0);
            default:
                if (v.matches("cuda:[0-9]{1,3}")) {
                    return new DeviceChoice(Kind.CUDA, Integer.parseInt(v.substring(5)));
                }
                throw new InvalidInputException(DEVICE.named() + ": '" + value + "' is not one of " + VALUES);
        }
    }

    /** Whether this setting wants LibTorch's GPU build (cuda and auto do; auto may still fall back). */
    public boolean wantsGpu() {
        return kind != Kind.CPU;
    }

    @Override
    public String toString() {
        return kind == Kind.CUDA ? "cuda:" + index : kind.name().toLowerCase(Locale.ROOT);
    }
}
