package io.rotquant.runtime.chat;

/** A chat template that cannot be parsed or rendered (including the template's own raise_exception). */
public final class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }
}
