package io.rotquant.plugin;

import io.rotquant.compiler.recipe.ParameterNames;
import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.build.ReportWriter;
import io.rotquant.compiler.build.Verification;
import java.io.IOException;
import java.util.Locale;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Loads the compiled artifact with the runtime in Maven's JVM, generates a few tokens from a fixed
 * prompt, and fails the build when its perplexity on the compile's held-out windows exceeds the FP
 * perplexity by more than {@code maxPplIncrease}. Needs a compile with {@code evalData}. Add
 * {@code --add-modules jdk.incubator.vector} to {@code .mvn/jvm.config} for the vector kernels;
 * without it the runtime's scalar kernels give the same result, slower.
 *
 * @since 0.1.0
 */
@Mojo(name = "verify", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public final class VerifyMojo extends AbstractArtifactMojo {
    /**
     * The largest accepted relative increase of the quantized perplexity over FP (0.25 = 25 %).
     * <pre>{@code <maxPplIncrease>0.10</maxPplIncrease>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.maxPplIncrease", defaultValue = "0.25")
    double maxPplIncrease;

    /**
     * The prompt of the generation check.
     * <pre>{@code <verifyPrompt>Once upon a time</verifyPrompt>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.verifyPrompt", defaultValue = "Once upon a time")
    String verifyPrompt;

    /**
     * Tokens generated (greedily) by the generation check.
     * <pre>{@code <verifyTokens>32</verifyTokens>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.verifyTokens", defaultValue = "32")
    int verifyTokens;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("rotquant: verify skipped (rotquant.skip)");
            return;
        }
        Verification.Result result;
        try (ParameterNames.Scope names = ParameterNames.MAVEN.use()) {
            result = Verification.run(artifactFile(), reportDirectory.toPath().resolve(ReportWriter.JSON), verifyPrompt,
                    verifyTokens, threads == null ? 0 : threads, line -> getLog().info("rotquant: " + line));
        } catch (InvalidInputException e) {
            throw new MojoExecutionException(e.getMessage());
        } catch (IOException e) {
            throw new MojoExecutionException("rotquant: " + e.getMessage(), e);
        }
        if (result.increase() > maxPplIncrease) {
            throw new MojoFailureException(String.format(Locale.ROOT,
                    "rotquant: the quantized model's perplexity %.4f is %.1f %% above FP %.4f, more than "
                            + "rotquant.maxPplIncrease allows (%.1f %%)", result.pplRuntime(), 100 * result.increase(),
                    result.pplFp(), 100 * maxPplIncrease));
        }
        getLog().info(String.format(Locale.ROOT, "rotquant: verified, perplexity %.1f %% above FP (limit %.1f %%)",
                100 * result.increase(), 100 * maxPplIncrease));
    }
}
