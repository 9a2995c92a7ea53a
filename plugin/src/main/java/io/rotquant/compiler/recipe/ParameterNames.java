package io.rotquant.compiler.recipe;

/**
 * The words a front end uses for the settings of {@link RecipeParameter}: the command line's flags
 * or Maven's user properties. Messages name a setting through {@link RecipeParameter#named()}, so
 * each front end prints them in its own words and no text is rewritten afterwards. The choice is
 * per thread and inherited by the threads a compile starts; a forked compiler is told by the system
 * property {@link #PROPERTY}.
 */
public enum ParameterNames {
    /** {@code --w-bits}. */
    FLAGS,
    /** {@code rotquant.wBits}. */
    MAVEN;

    /** The system property that sets a JVM's main thread to one of these (by lower-case name). */
    public static final String PROPERTY = "rotquant.parameterNames";

    private static final InheritableThreadLocal<ParameterNames> CURRENT = new InheritableThreadLocal<>() {
        @Override
        protected ParameterNames initialValue() {
            return "maven".equals(System.getProperty(PROPERTY)) ? MAVEN : FLAGS;
        }
    };

    /** Restores the words used before {@link #use}. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** The words of this thread's front end. */
    public static ParameterNames current() {
        return CURRENT.get();
    }

    /** Names settings in these words on this thread (and threads it starts) until the scope closes. */
    public Scope use() {
        ParameterNames before = CURRENT.get();
        CURRENT.set(this);
        return () -> CURRENT.set(before);
    }

    /** {@code parameter} in these words. */
    public String name(RecipeParameter parameter) {
        return this == FLAGS ? parameter.flag() : "rotquant." + parameter.mavenName();
    }
}
