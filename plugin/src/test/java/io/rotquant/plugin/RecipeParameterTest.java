package io.rotquant.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.cli.RotquantCli;
import io.rotquant.compiler.recipe.ParameterNames;
import io.rotquant.compiler.recipe.RecipeParameter;
import io.rotquant.compiler.recipe.RecipeValues;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The CLI's options, the compile goal's parameters (as the generated plugin descriptor declares
 * them) and the recipe JSON, each checked against the one table of settings, in both directions.
 */
class RecipeParameterTest {
    private static final Pattern MOJO_PARAMETER = Pattern.compile(
            "<(\\w+) implementation=\"[^\"]+\"(?: default-value=\"([^\"]*)\")?>\\$\\{rotquant\\.(\\w+)}</\\1>");

    private static String compileGoalConfiguration() throws IOException {
        try (InputStream in = CompileMojo.class.getResourceAsStream("/META-INF/maven/plugin.xml")) {
            String descriptor = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String mojo = descriptor.substring(descriptor.indexOf("<goal>compile</goal>"));
            mojo = mojo.substring(0, mojo.indexOf("</mojo>"));
            return mojo.substring(mojo.indexOf("<configuration>"), mojo.indexOf("</configuration>"));
        }
    }

    @Test
    void everyCompileOptionOfTheCliIsInTheTableWithTheArtifactsDefault() {
        CommandSpec compile = new CommandLine(new RotquantCli()).getSubcommands().get("compile").getCommandSpec();
        for (RecipeParameter p : RecipeParameter.values()) {
            OptionSpec option = compile.findOption(p.flag());
            assertThat(option).as(p.flag()).isNotNull();
            if (p.artifactDefault() != null) {
                assertThat(option.defaultValueString()).as(p.flag()).isEqualTo(p.artifactDefault());
            }
        }
        for (OptionSpec option : compile.mixins().get("options").options()) {
            assertThat(RecipeParameter.ofFlag(option.longestName())).as(option.longestName()).isPresent();
        }
    }

    @Test
    void everyParameterOfTheCompileGoalHasItsPropertyAndDefault() throws IOException {
        Map<String, String[]> declared = new java.util.HashMap<>();
        Matcher m = MOJO_PARAMETER.matcher(compileGoalConfiguration());
        while (m.find()) {
            declared.put(m.group(1), new String[] {m.group(2), m.group(3)});
        }
        for (RecipeParameter p : RecipeParameter.values()) {
            String[] found = declared.get(p.mavenName());
            assertThat(found).as(p.mavenName()).isNotNull();
            assertThat(found[1]).as(p.mavenName()).isEqualTo(p.mavenName());
            if (p.artifactDefault() != null) {
                assertThat(found[0]).as(p.mavenName()).isEqualTo(p.artifactDefault());
            }
        }
    }

    @Test
    void everyRecipeSettingHasItsKeyInTheRecipeJsonAndNoKeyIsUnknown() {
        // A learned recipe that keeps its rotations in a file: the one setting without a key when unset.
        Map<String, Object> json = new RecipeValues().set(RecipeParameter.ROTATION, "duarot")
                .set(RecipeParameter.ROTATIONS, "r.safetensors").recipe().toJson();
        for (RecipeParameter p : RecipeParameter.values()) {
            if (p.jsonKey() != null) {
                assertThat(json).as(p.name()).containsKey(p.jsonKey());
            }
        }
        for (String key : json.keySet()) {
            assertThat(key.equals("recipe") || java.util.Arrays.stream(RecipeParameter.values())
                    .anyMatch(p -> key.equals(p.jsonKey()))).as(key).isTrue();
        }
    }

    @Test
    void eachFrontEndNamesASettingInItsOwnWords() {
        assertThat(RecipeParameter.W_BITS.named()).isEqualTo("--w-bits");
        try (ParameterNames.Scope maven = ParameterNames.MAVEN.use()) {
            assertThat(RecipeParameter.W_BITS.named()).isEqualTo("rotquant.wBits");
            assertThat(RecipeParameter.MODEL.named()).isEqualTo("rotquant.modelDirectory");
            assertThat(RecipeParameter.OUT.named()).isEqualTo("rotquant.outputFile");
        }
        assertThat(RecipeParameter.OUT.named()).isEqualTo("--out");
    }
}
