"""The trend chart of a Markdown report: geometry for the SVG template, or a Mermaid block."""

import math

COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 50, 170, 40, 40


def series(report, lang):
    """[(label, [values per month])] of the charted metrics (numbers only)."""
    charted = [m for m in report.metrics if m.chart and m.kind in ("count", "share", "number")]
    return [(m.label[lang], [_number(row.get(m.key)) for row in report.months]) for m in charted]


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def nice_top(value):
    """A round axis maximum at or above `value`."""
    if value <= 0:
        return 1
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            top = step * magnitude
            return int(top) if float(top).is_integer() else top
    return value


def svg_geometry(report, lang, title):
    """Grouped bars per month with a legend: everything the SVG template draws, in pixels."""
    data = series(report, lang)
    months = [row["month"] for row in report.months]
    top = nice_top(max([v for _, values in data for v in values] or [0]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(months), 1)
    bar_w = group_w * 0.8 / max(len(data), 1)
    bars, ticks, legend, labels = [], [], [], []
    for s_index, (name, values) in enumerate(data):
        colour = COLOURS[s_index % len(COLOURS)]
        legend.append({"x": WIDTH - RIGHT + 15, "y": TOP + 10 + 20 * s_index, "colour": colour, "label": name})
        for m_index, value in enumerate(values):
            height = plot_h * value / top
            x = LEFT + group_w * m_index + group_w * 0.1 + bar_w * s_index
            bars.append({"x": round(x, 1), "y": round(TOP + plot_h - height, 1), "width": round(bar_w, 1),
                         "height": round(height, 1), "colour": colour, "title": f"{months[m_index]} {name}: {value}"})
    for step in range(5):
        value = top * step / 4
        ticks.append({"y": round(TOP + plot_h - plot_h * step / 4, 1),
                      "label": f"{value:g}"})
    for m_index, month in enumerate(months):
        labels.append({"x": round(LEFT + group_w * (m_index + 0.5), 1), "y": HEIGHT - BOTTOM + 18, "label": month})
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "top": TOP, "plot_width": plot_w,
            "plot_height": plot_h, "bottom": TOP + plot_h, "title": title, "bars": bars, "ticks": ticks,
            "legend": legend, "labels": labels}


def mermaid(report, lang, title):
    """A Mermaid xychart: one line per metric over the months."""
    data = series(report, lang)
    months = [row["month"] for row in report.months]
    top = nice_top(max([v for _, values in data for v in values] or [0]))
    lines = ["xychart-beta", f'    title "{title}"',
             "    x-axis [" + ", ".join(f'"{m}"' for m in months) + "]",
             f"    y-axis 0 --> {top}"]
    for _name, values in data:
        lines.append("    line [" + ", ".join(f"{v:g}" for v in values) + "]")
    return "\n".join(lines)
