package io.rotquant.compiler;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Enum-valued flags: the value is the constant's name, any case (lower case in messages); anything else is one clear line. */
public final class EnumFlags {
    private EnumFlags() {
    }

    public static <E extends Enum<E>> E parse(String flag, String value, Class<E> type) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw new InvalidInputException(flag + ": '" + value + "' is not one of " + Arrays.stream(type.getEnumConstants())
                .map(EnumFlags::label).collect(Collectors.joining(", ")));
    }

    public static String label(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }
}
