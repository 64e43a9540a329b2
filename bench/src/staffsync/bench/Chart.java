package staffsync.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The latency distributions as a PNG, drawn with java.awt (headless): one panel per scenario,
 * latency (log scale) against percentile on a "nines" axis (50%, 90%, 99%, 99.9%, 99.99%), one
 * line per server from the histogram of all its runs merged.
 */
final class Chart {
    private static final Map<String, Color> COLORS = Map.ofEntries(
            Map.entry(Bench.OURS, new Color(0x1f, 0x77, 0xb4)),
            Map.entry(Bench.OURS_MEMORY, new Color(0x94, 0x67, 0xbd)),
            Map.entry(Bench.OURS_BASELINE, new Color(0x7f, 0x7f, 0x7f)),
            Map.entry(Bench.GO, new Color(0x2c, 0xa0, 0x2c)),
            Map.entry(Bench.NODE, new Color(0xff, 0x7f, 0x0e)),
            Map.entry(Bench.OURS_ALONE, new Color(0x2c, 0xa0, 0x2c)),
            Map.entry(Bench.OURS_QUIET, new Color(0x1f, 0x77, 0xb4)),
            Map.entry(Bench.OURS_STORM, new Color(0xd6, 0x27, 0x28)),
            Map.entry(Bench.OURS_SUPABASE, new Color(0x17, 0xbe, 0xcf)),
            Map.entry(Bench.OURS_REDIS, new Color(0x8c, 0x56, 0x4b)),
            Map.entry(Bench.OURS_TWO, new Color(0xe3, 0x77, 0xc2)));
    private static final int PANEL_W = 560;
    private static final int PANEL_H = 380;

    private Chart() {}

    static void draw(List<Bench.RunResult> results, List<Map<String, Object>> scenarios, Path file, String date)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Map<String, Object>> drawn = scenarios.stream().filter(s -> !"e".equals(s.get("id"))).toList();
        if (drawn.isEmpty()) {
            return;
        }
        int cols = Math.min(2, drawn.size());
        int rows = (drawn.size() + cols - 1) / cols;
        BufferedImage image = new BufferedImage(cols * PANEL_W, rows * PANEL_H + 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("staff-sync benchmark: latency send -> receipt at every subscriber (" + date + ")", 12, 24);
        for (int i = 0; i < drawn.size(); i++) {
            String id = (String) drawn.get(i).get("id");
            Map<String, Histogram> merged = new LinkedHashMap<>();
            for (Bench.RunResult r : results) {
                if (r.scenario().equals(id) && r.latency() != null) {
                    merged.computeIfAbsent(r.server(), k -> new Histogram()).add(r.latency());
                }
            }
            panel(g, (i % cols) * PANEL_W, 40 + (i / cols) * PANEL_H, "(" + id + ") " + drawn.get(i).get("title"), merged);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void panel(Graphics2D g, int x0, int y0, String title, Map<String, Histogram> lines) {
        int left = x0 + 60;
        int right = x0 + PANEL_W - 20;
        int top = y0 + 40;
        int bottom = y0 + PANEL_H - 50;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        String shown = title.length() > 80 ? title.substring(0, 77) + "..." : title;
        g.drawString(shown, x0 + 12, y0 + 20);
        double minMs = 0.05;
        double maxMs = 1;
        for (Histogram h : lines.values()) {
            if (h.count() > 0) {
                maxMs = Math.max(maxMs, h.max() / 1000.0);
            }
        }
        double logMin = Math.floor(Math.log10(minMs));
        double logMax = Math.ceil(Math.log10(maxMs));
        double ninesMax = 4; // 99.99%
        // grid and axes
        g.setColor(new Color(0xdd, 0xdd, 0xdd));
        for (double d = logMin; d <= logMax; d++) {
            int y = yOf(Math.pow(10, d), logMin, logMax, top, bottom);
            g.drawLine(left, y, right, y);
        }
        String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%"};
        for (int n = 0; n <= ninesMax; n++) {
            int x = left + (int) ((right - left) * n / ninesMax);
            g.drawLine(x, top, x, bottom);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
        for (double d = logMin; d <= logMax; d++) {
            int y = yOf(Math.pow(10, d), logMin, logMax, top, bottom);
            double v = Math.pow(10, d);
            g.drawString(v >= 1 ? String.format("%.0f ms", v) : String.format("%.2f ms", v), x0 + 4, y + 4);
        }
        for (int n = 0; n <= ninesMax; n++) {
            int x = left + (int) ((right - left) * n / ninesMax);
            g.drawString(labels[n], x - 14, bottom + 16);
        }
        g.drawString("percentile", (left + right) / 2 - 25, bottom + 32);
        // one curve per server
        int legend = 0;
        for (var e : lines.entrySet()) {
            Histogram h = e.getValue();
            Color color = COLORS.getOrDefault(e.getKey(), Color.GRAY);
            g.setColor(color);
            g.setStroke(new BasicStroke(2f));
            int px = -1;
            int py = -1;
            if (h.count() > 0) {
                for (int step = 0; step <= 400; step++) {
                    double nines = ninesMax * step / 400.0;
                    double q = 1 - Math.pow(10, -nines);
                    double ms = Math.max(minMs, h.quantile(q) / 1000.0);
                    int x = left + (int) ((right - left) * nines / ninesMax);
                    int y = yOf(ms, logMin, logMax, top, bottom);
                    if (px >= 0) {
                        g.drawLine(px, py, x, y);
                    }
                    px = x;
                    py = y;
                }
            }
            g.setStroke(new BasicStroke(1f));
            g.fillRect(left + 10, top + 10 + legend * 16, 12, 10);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey() + (h.count() == 0 ? " (no data)" : String.format(" p99 %.1f ms, max %.1f ms",
                    h.quantile(0.99) / 1000.0, h.max() / 1000.0)), left + 28, top + 20 + legend * 16);
            legend++;
        }
    }

    private static int yOf(double ms, double logMin, double logMax, int top, int bottom) {
        double f = (Math.log10(ms) - logMin) / (logMax - logMin);
        return bottom - (int) (f * (bottom - top));
    }
}
