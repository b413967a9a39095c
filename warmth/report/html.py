"""``DIR/index.html``: figures, tables and warnings with a short legend each."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pandas as pd

TABLE_LEGENDS = {
    "headline": "Mean change in error per task over models (no context, no belief), by training condition.",
    "regression_ames": "Average marginal effect of fine-tuning on P(incorrect) per regression model and "
                       "moderator level: model-based (glm), clustered by question, random intercept (mixed); "
                       "averaged over n_averaged rows. 'separated' names cells whose outcome never varies: "
                       "they are fitted at their limit, references kept ('reference_changed' when a "
                       "reference level has no rows at all).",
    "warm_vs_cold": "Warm against cold fine-tuning of the same model on the same prompts: exact McNemar per "
                    "model x task x test type x context, Benjamini-Hochberg within each table of contexts; "
                    "Raw Diff = warm minus cold accuracy (pp).",
    "benchmarks": "General-capability results with 95% confidence intervals.",
    "warmth": "Mean warmth score per model, style and epoch.",
    "frontier": "Warmth and error rate per checkpoint.",
    "conditions": "Every model x condition x task x test type x context: original and fine-tuned accuracy "
                  "(percent), raw difference (pp), McNemar p-values (raw and Benjamini-Hochberg).",
}
PAIRED_LEGEND = ("Exact McNemar tests per model x task x test type x context on (original, fine-tuned) pairs "
                 "matched on item, template and context; Benjamini-Hochberg within each table of contexts. "
                 "Columns as in the study's summary files (its 'Cohen's g' column is |b-c|/sqrt(b+c)).")
MAX_ROWS = 60


def _table_html(path: Path) -> str:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:  # a table with no columns (e.g. no regression could be fitted)
        return "<p class='legend'>No rows.</p>"
    extra = ""
    if len(df) > MAX_ROWS:
        extra = f"<p class='legend'>First {MAX_ROWS} of {len(df)} rows; the CSV has all.</p>"
        df = df.head(MAX_ROWS)
    return df.to_html(index=False, border=0, escape=True) + extra


def write_html(report) -> Path:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=True)
    tables = []
    order = ["headline", "regression_ames", "warm_vs_cold"] + sorted(k for k in report.tables if k.startswith("paired_")) + [
        "benchmarks", "warmth", "frontier", "conditions"]
    for name in order:
        if name not in report.tables:
            continue
        legend = PAIRED_LEGEND if name.startswith("paired_") else TABLE_LEGENDS.get(name, "")
        title = f"Paired tests: {name[len('paired_'):]}" if name.startswith("paired_") else name.replace("_", " ").capitalize()
        tables.append({"title": title, "legend": legend, "file": report.tables[name].name,
                       "html": _table_html(report.tables[name])})
    reg_txt = report.out_dir / "regressions.txt"
    html = env.get_template("index.html.jinja").render(
        title="warmth report", sources=report.sources, headline_lines=report.headline_lines,
        figures=report.figures, tables=tables, warnings=list(report.notes),
        regressions_text=reg_txt.read_text() if reg_txt.exists() else "",
    )
    path = report.out_dir / "index.html"
    path.write_text(html, encoding="utf-8")
    return path
