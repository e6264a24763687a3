"""Issue 21's before/after table from the CSVs of ``benchmarks.methods``.

    python -m benchmarks.methods --before-after before-ratio30.csv before-100-300.csv after.csv ...

"Before" is the pre-issue-21 defaults (fourier lr 3e-4, sci lr 1e-3, fp16 weights): the
rows of CSVs whose name starts with ``before``; a method whose options did not change
(not in ``benchmarks.methods.BEFORE``) takes its fp16 row from the other CSVs, and its
rows in the ``before`` CSVs count as "after" rows too.  "After"
is the library's current defaults: each method's row at the quantisation
``quant`` gets by default (``inrfilter.options.ENCODE_OPTIONS``), from the CSVs not named ``before``.
Writes before-after.csv (one row per method, ratio and crop), .md (PSNR before/after
against siren, encode CPU seconds, the quantisation decision at equal size, the coding
gain alone on the same network, and the per-method verdict) and .png.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from benchmarks.common import metrics
from inrfilter.options import ENCODE_OPTIONS

#: "level with siren": within this many dB (issue 21)
LEVEL_DB = 0.5
FIELDS = ["method", "ratio", "dataset", "before_psnr", "before_bytes", "before_cpu_s", "after_quant", "after_psnr",
          "after_bytes", "after_cpu_s", "siren_after_psnr", "after_vs_siren_db", "other_quant_psnr",
          "default_vs_other_db", "recode_saved", "recode_lost_db"]


def default_quant(method: str) -> str:
    """The quantisation ``method`` writes when ``quant`` is not given (one default for every
    method; latent codes its own weights and ignores it)."""
    return ENCODE_OPTIONS["quant"].default


def _read(paths: list[Path]) -> tuple[dict, dict]:
    """(before, after) rows keyed by (method, ratio, dataset[, quant]); later files win."""
    from benchmarks.methods import BEFORE

    before: dict[tuple, dict] = {}
    after: dict[tuple, dict] = {}
    for p in paths:
        with p.open() as f:
            for r in csv.DictReader(f):
                key = (r["method"], float(r["ratio"]), r["dataset"])
                if p.name.startswith("before") and r["quant"] == "fp16":
                    before[key] = r
                if not p.name.startswith("before") or r["method"] not in BEFORE:  # unchanged options: after too
                    after[key + (r["quant"],)] = r
    return before, after


def _f(row: dict | None, field: str) -> float:
    return float(row[field]) if row and row.get(field) not in (None, "", "nan") else float("nan")


def rows(paths: list[Path]) -> list[dict]:
    """One row per (method, ratio, crop) present in the after CSVs."""
    from benchmarks.methods import BEFORE

    before, after = _read(paths)
    out = []
    keys = dict.fromkeys(k[:3] for k in after)
    for method, ratio, dataset in keys:
        quant = default_quant(method)
        other = "fp16" if quant == "entropy" else "entropy"
        a, o = after.get((method, ratio, dataset, quant)), after.get((method, ratio, dataset, other))
        b = before.get((method, ratio, dataset))
        if b is None and method not in BEFORE:
            b = after.get((method, ratio, dataset, "fp16"))
        s = after.get(("siren", ratio, dataset, default_quant("siren")))
        fp16 = after.get((method, ratio, dataset, "fp16"))
        saved = lost = float("nan")
        if fp16 and int(fp16.get("recode_bytes") or 0) > 0:
            saved = 1 - int(fp16["recode_bytes"]) / int(fp16["bytes"])
            lost = float(fp16["psnr"]) - float(fp16["recode_psnr"])
        out.append({"method": method, "ratio": ratio, "dataset": dataset,
                    "before_psnr": _f(b, "psnr"), "before_bytes": _f(b, "bytes"), "before_cpu_s": _f(b, "cpu_seconds"),
                    "after_quant": quant, "after_psnr": _f(a, "psnr"), "after_bytes": _f(a, "bytes"),
                    "after_cpu_s": _f(a, "cpu_seconds"), "siren_after_psnr": _f(s, "psnr"),
                    "after_vs_siren_db": round(_f(a, "psnr") - _f(s, "psnr"), 2), "other_quant_psnr": _f(o, "psnr"),
                    "default_vs_other_db": round(_f(a, "psnr") - _f(o, "psnr"), 2),
                    "recode_saved": round(saved, 3), "recode_lost_db": round(lost, 2)})
    return out


def _quant_diffs(table: list[dict], method: str | None, ratio: float) -> list[float]:
    """entropy minus fp16 PSNR at equal size, per crop where both reach ``ratio``."""
    out = []
    for r in table:
        if r["ratio"] == ratio and (method is None or r["method"] == method) and r["method"] != "latent":
            d = r["default_vs_other_db"] * (1 if r["after_quant"] == "entropy" else -1)
            if not np.isnan(d):
                out.append(d)
    return out


def _cell(v: float, fmt: str = "{:.2f}") -> str:
    return "-" if np.isnan(v) else fmt.format(v)


def _signed(v: float) -> str:
    return "-" if np.isnan(v) else f"{v:+.1f}"


def report(table: list[dict]) -> list[str]:
    """The Markdown lines of before-after.md."""
    names = list(dict.fromkeys(r["dataset"] for r in table))
    methods = list(dict.fromkeys(r["method"] for r in table))
    ratios = sorted(dict.fromkeys(r["ratio"] for r in table))
    at = {(r["method"], r["ratio"], r["dataset"]): r for r in table}
    head = "| method | ratio | " + " | ".join(names) + " |"
    rule = "|---|---|" + "---|" * len(names)
    lines = ["# Every method before / after issue 21, ratios 30/100/300", "",
             f"machine: {metrics.machine()}; one chunk per crop, CPU, one thread, default effort (`fast`); "
             "PSNR over each crop's range. Before: fourier lr 3e-4, sci lr 1e-3, fp16 weights. After: the "
             "current defaults (quantisation per method: "
             + ", ".join(f"{m} {default_quant(m)}" for m in methods) + "). '-': the smallest network cannot "
             "reach the ratio.", "",
             "## PSNR dB: before -> after (after minus siren after)", "", head, rule]
    for method in methods:
        for ratio in ratios:
            cells = []
            for n in names:
                r = at.get((method, ratio, n))
                if r is None or np.isnan(r["after_psnr"]) and np.isnan(r["before_psnr"]):
                    cells.append("-")
                    continue
                vs = "" if method == "siren" else f" ({_signed(r['after_vs_siren_db'])})"
                cells.append(f"{_cell(r['before_psnr'])} -> {_cell(r['after_psnr'])}{vs}")
            lines.append(f"| {method} | {ratio:g} | " + " | ".join(cells) + " |")
    lines += ["", "## Encode CPU seconds per chunk: before -> after", "", head, rule]
    for method in methods:
        for ratio in ratios:
            cells = [f"{_cell(r['before_cpu_s'], '{:.1f}')} -> {_cell(r['after_cpu_s'], '{:.1f}')}"
                     if (r := at.get((method, ratio, n))) else "-" for n in names]
            lines.append(f"| {method} | {ratio:g} | " + " | ".join(cells) + " |")
    lines += ["", "## Quantisation at equal size: entropy minus fp16, dB (each sizes its own network, trained with "
              "its own quantiser; the new options for fourier and sci)", "", head + " wins |", rule + "---|"]
    for method in methods:
        for ratio in ratios:
            diffs = []
            for n in names:
                r = at.get((method, ratio, n))
                d = float("nan") if r is None else r["default_vs_other_db"] * (1 if r["after_quant"] == "entropy" else -1)
                diffs.append(d)
            known = [d for d in diffs if not np.isnan(d)]
            wins = f"{sum(d > 0 for d in known)}/{len(known)}"
            lines.append(f"| {method} | {ratio:g} | " + " | ".join(_signed(d) for d in diffs) + f" | {wins} |")
    lines += ["", "Summary (cells where both codings reach the ratio; '-': none):", "",
              "| method | " + " | ".join(f"ratio {r:g}: wins, median dB" for r in ratios) + " | all: wins, median, mean dB |",
              "|---|" + "---|" * (len(ratios) + 1)]
    for method in methods + ["every method"]:
        cells, every = [], []
        for ratio in ratios:
            diffs = _quant_diffs(table, None if method == "every method" else method, ratio)
            every += diffs
            cells.append(f"{sum(d > 0 for d in diffs)}/{len(diffs)}, {np.median(diffs):+.2f}" if diffs else "-")
        cells.append(f"{sum(d > 0 for d in every)}/{len(every)}, {np.median(every):+.2f}, {np.mean(every):+.2f}"
                     if every else "-")
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    lines += ["", "## Coding alone: the fp16 network recoded with entropy-coded weights (no retraining)", "",
              "| method | ratio | bytes saved (per crop) | dB lost (per crop) |", "|---|---|---|---|"]
    for method in methods:
        for ratio in ratios:
            rs = [at.get((method, ratio, n)) for n in names]
            saved = ", ".join("-" if r is None or np.isnan(r["recode_saved"]) else f"{r['recode_saved']:.0%}" for r in rs)
            lost = ", ".join("-" if r is None or np.isnan(r["recode_lost_db"]) else f"{r['recode_lost_db']:.2f}"
                             for r in rs)
            lines.append(f"| {method} | {ratio:g} | {saved} | {lost} |")
    lines += ["", f"## Verdict: crops where the method is level with siren (within {LEVEL_DB} dB) or ahead, "
              "at the current defaults", "", "| method | " + " | ".join(f"ratio {r:g}" for r in ratios) + " |",
              "|---|" + "---|" * len(ratios)]
    for method in methods:
        if method == "siren":
            continue
        cells = []
        for ratio in ratios:
            diffs = [at[(method, ratio, n)]["after_vs_siren_db"] for n in names if (method, ratio, n) in at]
            level = sum(1 for d in diffs if not np.isnan(d) and d >= -LEVEL_DB)
            cells.append(f"{level}/{len(names)}")
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return lines + [""]


def plot(table: list[dict], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    names = list(dict.fromkeys(r["dataset"] for r in table))
    methods = list(dict.fromkeys(r["method"] for r in table))
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 4.3), squeeze=False)
    colours = dict(zip(methods, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    for ax, n in zip(axes[0], names):
        for method in methods:
            for field, style, tag in (("before_psnr", ":o", "before"), ("after_psnr", "-x", "after")):
                pts = sorted((r["ratio"], r[field]) for r in table
                             if r["dataset"] == n and r["method"] == method and not np.isnan(r[field]))
                if pts:
                    ax.plot(*zip(*pts), style, color=colours[method], label=f"{method} {tag}", ms=4)
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks([30, 100, 300], ["30", "100", "300"])
        ax.set_title(n, fontsize=9)
        ax.set_xlabel("ratio")
        ax.set_ylabel("PSNR dB")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(methods), fontsize=7)
    fig.suptitle("before (dotted: old defaults, fp16) and after (solid: current defaults), one chunk per crop, "
                 "CPU, effort fast", fontsize=9)
    fig.tight_layout(rect=(0, 0.12, 1, 0.95))
    fig.savefig(path, dpi=90)


def before_after(paths: list[Path]) -> None:
    table = rows(paths)
    out = paths[0].parent / "before-after"
    with out.with_suffix(".csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        writer.writerows(table)
    out.with_suffix(".md").write_text("\n".join(report(table)))
    plot(table, out.with_suffix(".png"))
    print(out.with_suffix(".md").read_text())
