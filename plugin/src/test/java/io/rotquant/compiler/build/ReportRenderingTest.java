package io.rotquant.compiler.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.compiler.torch.DeviceChoice;
import io.rotquant.compiler.torch.Torch;
import io.rotquant.runtime.TestPaths;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders a real compile report in headless Chromium and checks the screenshot: the charts' bars
 * are drawn in both colours. The screenshot stays in {@code target/report-screenshots/}.
 */
class ReportRenderingTest {
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("ROTQUANT_CHROMIUM", "/usr/bin/chromium"));
    private static final int WIDTH = 820;

    @TempDir
    Path dir;

    @Test
    void reportHtmlRendersItsChartsInHeadlessChromium() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM + " (install Debian's chromium, or set ROTQUANT_CHROMIUM)");
        Torch.init(DeviceChoice.CPU, 0, ComputeDType.FP32.scalarType(), line -> { });
        Recipe recipe = Recipe.FP.withRotation(RotationKind.HADAMARD, 0).withWeights(4, WeightMethod.RTN, 0, true)
                .withActivations(4, 1.0, 4, 1.0);
        Path samples = TestPaths.repo().resolve("examples/data/stories260K-samples.txt");
        Compilation.run(new CompileRequest(TestPaths.stories260K(), recipe, ComputeDType.FP32, dir.resolve("m.rqm"), samples, 2,
                dir.resolve("report"), 16), line -> { });

        Path screenshots = Files.createDirectories(Path.of("target", "report-screenshots"));
        Path png = screenshots.resolve("report.png").toAbsolutePath();
        Files.deleteIfExists(png);
        Process chromium = new ProcessBuilder(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + dir.resolve("profile"),
                "--window-size=" + WIDTH + ",2600", "--screenshot=" + png,
                dir.resolve("report/report.html").toUri().toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertThat(chromium.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(WIDTH);
        assertThat(pixels(image, 0x2f6fdb)).as("pixels of the after-rotation bars").isGreaterThan(20_000);
        assertThat(pixels(image, 0x9aa5b1)).as("pixels of the before-rotation bars").isGreaterThan(5_000);
        System.out.println("report screenshot: " + png);
    }

    private static long pixels(BufferedImage image, int rgb) {
        long count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    count++;
                }
            }
        }
        return count;
    }
}
