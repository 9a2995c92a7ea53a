package io.rotquant.plugin;

import io.rotquant.compiler.recipe.RecipeParameter;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the compiler's messages, which name command-line flags, for Maven users: each
 * {@code --flag-name} becomes the user property that sets it ({@link RecipeParameter} for the
 * recipe's settings, {@code rotquant.flagName} for the others).
 */
final class MavenNames {
    private static final Pattern FLAG = Pattern.compile("--(no-)?([a-z][a-z0-9]*(?:-[a-z0-9]+)*)");
    /** Other flags whose Maven parameter is not their camel-case name. */
    private static final Map<String, String> RENAMED = Map.of("out", "outputFile");

    private MavenNames() {
    }

    static String of(String message) {
        Matcher m = FLAG.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement("rotquant." + property(m.group(2))));
        }
        return m.appendTail(out).toString();
    }

    /** {@code w-bits} → {@code wBits}: a recipe setting's Maven name, else the flag in camel case. */
    static String property(String flag) {
        Optional<RecipeParameter> parameter = RecipeParameter.ofFlag("--" + flag);
        if (parameter.isPresent()) {
            return parameter.get().mavenName();
        }
        String renamed = RENAMED.get(flag);
        if (renamed != null) {
            return renamed;
        }
        StringBuilder camel = new StringBuilder();
        boolean upper = false;
        for (char c : flag.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                camel.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return camel.toString();
    }
}
