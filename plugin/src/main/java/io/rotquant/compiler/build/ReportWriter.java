package io.rotquant.compiler.build;

import io.rotquant.compiler.build.SvgBarChart.Series;
import io.rotquant.compiler.eval.ActivationProfile.LayerProfile;
import io.rotquant.runtime.json.JsonWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code report.json} (the compile result) and {@code report.html} (the same as pictures, one
 * self-contained page with inline SVG) in a report directory, each written atomically.
 */
public final class ReportWriter {
    public static final String JSON = "report.json";
    public static final String HTML = "report.html";
    private static final String BEFORE = "#9aa5b1";
    private static final String AFTER = "#2f6fdb";

    private ReportWriter() {
    }

    public static void write(CompileReport report, Path directory) throws IOException {
        Files.createDirectories(directory);
        writeAtomically(directory.resolve(JSON), JsonWriter.write(report.toJson()) + "\n");
        writeAtomically(directory.resolve(HTML), html(report));
    }

    static String html(CompileReport report) {
        StringBuilder page = new StringBuilder();
        page.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>rotquant report: ")
                .append(SvgBarChart.escape(report.recipe().label())).append("</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:780px;color:#1f2933}")
                .append("h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse}")
                .append("td,th{padding:.2rem .8rem;border-bottom:1px solid #e4e7eb;text-align:left}")
                .append("svg{width:100%;height:auto}.title{font-weight:600;font-size:14px}.tick{font-size:11px;fill:#52606d}")
                .append(".grid{stroke:#e4e7eb}code{font-size:.85rem}</style></head><body>");
        page.append("<h1>rotquant: ").append(SvgBarChart.escape(report.recipe().label())).append("</h1><table>");
        row(page, "model", report.model().toString());
        row(page, "artifact", report.artifact().getFileName() + String.format(Locale.ROOT, " (%.2f MB)", report.bytes() / 1e6));
        row(page, "sha256", report.sha256());
        row(page, "compile time", String.format(Locale.ROOT, "%.1f s", report.seconds()));
        row(page, "machine", report.machine());
        page.append("</table>");

        CompileReport.Evaluation eval = report.evaluation();
        if (eval == null) {
            page.append("<p>No held-out text was given (<code>evalData</code> / <code>--eval-data</code>), so the report ")
                    .append("has no perplexity and no activation profile.</p>");
        } else {
            page.append("<h2>Perplexity on held-out text</h2><p>").append(SvgBarChart.escape(eval.data()))
                    .append(String.format(Locale.ROOT, ", %d windows (%d predicted tokens): FP %.4f, quantized %.4f (%+.2f %%).",
                            eval.windows(), eval.tokens(), eval.pplFp(), eval.pplQuantized(),
                            100 * (eval.pplQuantized() / eval.pplFp() - 1)))
                    .append("</p>");
            page.append(SvgBarChart.render("Perplexity (lower is better)", "PPL", List.of("FP", report.recipe().label()),
                    List.of(new Series("perplexity", AFTER, new double[] {eval.pplFp(), eval.pplQuantized()}))));
            List<String> layers = new ArrayList<>();
            eval.before().forEach(l -> layers.add(Integer.toString(l.layer())));
            page.append("<h2>Activation quantization error by layer</h2><p>Relative error ‖Q(x) − x‖ / ‖x‖ of ")
                    .append(eval.profileBits()).append("-bit per-token quantization of each linear's input, mean over the ")
                    .append("four inputs of a layer, on the first window: without rotation (FP model) and as compiled.</p>");
            page.append(SvgBarChart.render("Quantization error of linear inputs", "relative error", layers,
                    List.of(new Series("before rotation", BEFORE, perLayer(eval.before(), ReportWriter::meanError)),
                            new Series("after rotation", AFTER, perLayer(eval.after(), ReportWriter::meanError)))));
            page.append("<h2>Massive activations</h2><p>Largest token's ∞-norm over the median token's, for the ")
                    .append("most extreme of a layer's linear inputs: rotation spreads a massive token's outliers ")
                    .append("over all channels.</p>");
            page.append(SvgBarChart.render("Peak token / median token (∞-norm)", "ratio", layers,
                    List.of(new Series("before rotation", BEFORE, perLayer(eval.before(), ReportWriter::peak)),
                            new Series("after rotation", AFTER, perLayer(eval.after(), ReportWriter::peak)))));
        }
        page.append("<h2>Compile time by phase</h2>");
        Map<String, Double> phases = report.phaseSeconds();
        page.append(SvgBarChart.render("Wall time per phase", "seconds", new ArrayList<>(phases.keySet()),
                List.of(new Series("seconds", AFTER, phases.values().stream().mapToDouble(Double::doubleValue).toArray()))));
        page.append("<h2>Recipe</h2><table>");
        report.recipe().toJson().forEach((key, value) -> row(page, key, String.valueOf(value)));
        return page.append("</table></body></html>\n").toString();
    }

    private static double[] perLayer(List<LayerProfile> layers, ToDoubleFunction<LayerProfile> metric) {
        return layers.stream().mapToDouble(metric).toArray();
    }

    private static double meanError(LayerProfile layer) {
        return layer.quantError().values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    private static double peak(LayerProfile layer) {
        return layer.peakRatio().values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static void row(StringBuilder page, String key, String value) {
        page.append("<tr><th>").append(SvgBarChart.escape(key)).append("</th><td>").append(SvgBarChart.escape(value))
                .append("</td></tr>");
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
