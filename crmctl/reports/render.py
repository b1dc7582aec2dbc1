"""A report as a terminal table, Markdown page (+ SVG chart), CSV or JSON."""

from pathlib import Path

from crmctl.present import formats
from crmctl.kernel.i18n import t
from crmctl.kernel.templates import environment
from crmctl.reports import chart
from crmctl.reports.months import label as month_label

MINUS = "\u2212"  # the tables print −1, as the roll-out's did
FORMATS = ("table", "md", "csv", "json", "yaml", "svg")  # monthly reports
# A snapshot (quality) is several tables of different columns: one CSV cannot hold them, JSON can (rates as fractions).
SNAPSHOT_FORMATS = ("table", "md", "json", "yaml")


def number_text(value, kind="count", lang="en"):
    if value is None:
        return ""
    if kind == "flag":
        return t("report.met" if value else "report.not_met", lang)
    if kind == "share":
        return f"{value * 100:.0f} %"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def change_text(change, kind="count"):
    """`+14`, `−1`; nothing for no change."""
    if change is None or change == 0:
        return ""
    if kind == "share":
        text = f"{abs(change) * 100:.0f} %"
    else:
        text = number_text(abs(change), kind)
    return ("+" if change > 0 else MINUS) + text


def cell(row, metric, lang="en", tracked_from=""):
    """`49 (+14)`: the value, and its change when there is one to show.

    No change is shown for months up to `tracked_from` (a `YYYY-MM` label): before
    crmctl there was no tracking to compare with (the roll-out's first table has none either).
    """
    text = number_text(row.get(metric.key), metric.kind, lang)
    shown = metric.change and row["month"] > tracked_from
    change = change_text(row.get(f"{metric.key}_change"), metric.kind) if shown else ""
    return f"{text} ({change})" if change else text


def table_metrics(report):
    return [m for m in report.metrics if m.kind != "breakdown"]


def display_rows(report, lang):
    """(columns, headers, rows) of the month table as people read it."""
    metrics = table_metrics(report)
    columns = ["month"] + [m.key for m in metrics]
    headers = [t("report.month", lang)] + [m.label[lang] for m in metrics]
    tracked_from = month_label(report.tracked_from) if report.tracked_from else ""
    rows = [{"month": row["month"], **{m.key: cell(row, m, lang, tracked_from) for m in metrics}}
            for row in report.months]
    return columns, headers, rows


def breakdowns(report, lang):
    """[(metric, keys, rows)] for breakdown metrics (`by_subject`): one row per key, one column per month."""
    result = []
    for metric in report.metrics:
        if metric.kind != "breakdown":
            continue
        keys = breakdown_keys(report, metric)
        rows = [{"key": report.key_label(metric.key, key, lang),
                 **{row["month"]: (row.get(metric.key) or {}).get(key, 0) for row in report.months}}
                for key in keys]
        result.append((metric, rows))
    return result


def markdown_table(headers, rows, columns):
    """A plain pipe table, cells as they are (the reference tables are written this way)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


def breakdown_keys(report, metric):
    """The keys a breakdown metric (`by_subject`) has in any month of the report, sorted."""
    return sorted({key for row in report.months for key in (row.get(metric.key) or {})})


def csv_columns(report):
    columns = ["month"]
    for metric in report.metrics:
        if metric.kind == "breakdown":
            columns += [f"{metric.key}.{key}" for key in breakdown_keys(report, metric)]
            continue
        columns.append(metric.key)
        if metric.change:
            columns.append(f"{metric.key}_change")
    return columns


def csv_rows(report):
    """Rows with each breakdown flattened to `<metric>.<key>` columns (0 where a month lacks the key)."""
    keys = {m.key: breakdown_keys(report, m) for m in report.metrics if m.kind == "breakdown"}
    rows = []
    for row in report.months:
        flat = dict(row)
        for metric_key, metric_keys in keys.items():
            counts = row.get(metric_key) or {}
            flat.update({f"{metric_key}.{key}": counts.get(key, 0) for key in metric_keys})
        rows.append(flat)
    return rows


def render(report, fmt, lang, store_root=None, out=None):
    """The report's text in `fmt`; returns (text, extra files {path: text}) — the SVG chart beside --out."""
    if report.snapshot is not None:
        return render_snapshot(report, fmt, lang, store_root, out)
    if fmt in ("json", "yaml"):
        return formats.render_data(report.data(), fmt), {}
    if fmt == "svg":
        title = report.title[lang]
        return environment(store_root).get_template("reports/chart.svg.j2").render(
            chart=chart.svg_geometry(report, lang, title)), {}
    if fmt == "csv":
        columns = csv_columns(report)
        return formats.render_rows(csv_rows(report), columns, columns, "csv"), {}
    columns, headers, rows = display_rows(report, lang)
    if fmt == "table":
        text = formats.render_rows(rows, columns, headers, "table")
        for metric, key_rows in breakdowns(report, lang):
            months = [row["month"] for row in report.months]
            text += "\n" + metric.label[lang] + "\n"
            text += formats.render_rows(key_rows, ["key"] + months, [""] + months, "table")
        for note in report.notes:
            text += "\n" + note[lang] + "\n"
        return text, {}
    return markdown_page(report, lang, store_root, out, columns, headers, rows)


def markdown_page(report, lang, store_root, out, columns, headers, rows):
    title = report.title[lang]
    months = [row["month"] for row in report.months]
    templates = environment(store_root)
    extra = {}
    figure = {"kind": "mermaid", "text": chart.mermaid(report, lang, title),
              "legend": [name for name, _ in chart.series(report, lang)]}
    if out is not None:
        svg_path = Path(out).with_suffix(".svg")
        extra[svg_path] = templates.get_template("reports/chart.svg.j2").render(
            chart=chart.svg_geometry(report, lang, title))
        figure = {"kind": "svg", "file": svg_path.name, "legend": figure["legend"]}
    tables = [(metric.label[lang], markdown_table([""] + months, key_rows, ["key"] + months))
              for metric, key_rows in breakdowns(report, lang)]
    text = page_template(templates, report).render(
        lang=lang, t=words(lang), title=title, report=report, first=months[0] if months else "",
        last=months[-1] if months else "", table=markdown_table(headers, rows, columns), breakdowns=tables, chart=figure,
        metrics=report.metrics, notes=[note[lang] for note in report.notes])
    return text, extra


def words(lang):
    """The templates' `t(key, **params)`: a catalogue message in the page's language."""
    return lambda key, **params: t(key, lang, **params)


def page_template(templates, report):
    """The report's own page template, else the generic one."""
    return templates.select_template([f"reports/{report.name}.md.j2", "reports/report.md.j2"])


def render_snapshot(report, fmt, lang, store_root, out):
    """Reports that are a snapshot (quality): sections of rows."""
    if fmt in ("json", "yaml"):
        return formats.render_data(report.data(), fmt), {}
    sections = report.sections(lang)
    if fmt == "table":
        parts = []
        for title, columns, headers, rows in sections:
            parts.append(title + "\n" + (formats.render_rows(rows, columns, headers, "table") or "-\n"))
        return "\n".join(parts), {}
    # Snapshot rows carry record text (customer names): shown as text, not as Markdown or HTML.
    tables = [(title, markdown_table(headers, [{c: "" if r.get(c) is None else formats.markdown_text(
                                                    formats.escape_unsafe(str(r[c]))) for c in columns} for r in rows],
                                     columns))
              for title, columns, headers, rows in sections]
    text = page_template(environment(store_root), report).render(
        lang=lang, t=words(lang), title=report.title[lang], report=report, first="", last="", table="",
        breakdowns=tables, chart=None, metrics=[], notes=[note[lang] for note in report.notes])
    return text, {}
