package io.rotquant.compiler.build;

import java.util.List;
import java.util.Locale;

/** A grouped vertical bar chart as inline SVG: one group per category, one bar per series. */
final class SvgBarChart {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 300;
    private static final int LEFT = 60;
    private static final int BOTTOM = 60;
    private static final int TOP = 30;

    /** One coloured bar in every group. */
    record Series(String name, String color, double[] values) {
    }

    private SvgBarChart() {
    }

    static String render(String title, String unit, List<String> categories, List<Series> series) {
        double max = series.stream().flatMapToDouble(s -> java.util.Arrays.stream(s.values())).max().orElse(1);
        max = max > 0 ? niceCeiling(max) : 1;
        int plotWidth = WIDTH - LEFT - 20;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        double groupWidth = (double) plotWidth / categories.size();
        double barWidth = groupWidth * 0.8 / series.size();
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                + "role=\"img\" aria-label=\"%s\">", WIDTH, HEIGHT, escape(title)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" class=\"title\">%s</text>", LEFT, escape(title)));
        for (int tick = 0; tick <= 4; tick++) {
            double value = max * tick / 4;
            double y = TOP + plotHeight - plotHeight * tick / 4.0;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>", LEFT, WIDTH - 20, y, y,
                    LEFT - 6, y + 4, format(value)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" class=\"tick\" transform=\"rotate(-90 14 %d)\" "
                + "text-anchor=\"middle\">%s</text>", TOP + plotHeight / 2, TOP + plotHeight / 2, escape(unit)));
        for (int c = 0; c < categories.size(); c++) {
            double groupX = LEFT + c * groupWidth + groupWidth * 0.1;
            for (int s = 0; s < series.size(); s++) {
                double value = series.get(s).values()[c];
                double height = plotHeight * value / max;
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        + "fill=\"%s\"><title>%s, %s: %s</title></rect>", groupX + s * barWidth, TOP + plotHeight - height,
                        barWidth, height, series.get(s).color(), escape(series.get(s).name()), escape(categories.get(c)),
                        format(value)));
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>",
                    LEFT + (c + 0.5) * groupWidth, TOP + plotHeight + 16, escape(categories.get(c))));
        }
        for (int s = 0; s < series.size(); s++) {
            int x = LEFT + s * 170;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\" class=\"tick\">%s</text>", x, HEIGHT - 22, series.get(s).color(), x + 16,
                    HEIGHT - 12, escape(series.get(s).name())));
        }
        return svg.append("</svg>").toString();
    }

    /** The smallest 1, 2 or 5 times a power of ten at or above {@code value}. */
    static double niceCeiling(double value) {
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }

    static String format(double value) {
        return value == 0 ? "0" : Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                : Math.abs(value) >= 1 ? String.format(Locale.ROOT, "%.2f", value)
                : String.format(Locale.ROOT, "%.3f", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
