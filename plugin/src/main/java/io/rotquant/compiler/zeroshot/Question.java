package io.rotquant.compiler.zeroshot;

import java.util.List;

/** A task item: its choices and the index of the right one. */
public record Question(List<Choice> choices, int gold) {
}
