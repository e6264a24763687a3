"""Turning benchmark rows into Markdown, verdict sentences, PNG plots and the README summary."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

README_START, README_END = "<!-- benchmark-summary:start -->", "<!-- benchmark-summary:end -->"


def _fmt(v, digits=2) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, float):
        return ("inf" if v > 0 else "-inf") if math.isinf(v) else f"{v:.{digits}f}" if abs(v) >= 0.01 else f"{v:.2e}"
    return str(v)


def _by_dataset(rows):
    groups = defaultdict(list)
    for r in rows:
        groups[r["dataset"]].append(r)
    return groups


def _is_lossy_peer(r) -> bool:
    return not r["codec"].startswith("inrfilter") and "lossless" not in r["codec"]


def peer_psnr_at(rows, ratio: float) -> tuple[float, str] | None:
    """Best PSNR a peer family reaches at ``ratio`` (interpolated in log ratio along its
    curve); None if no family's points span it."""
    best = None
    families = defaultdict(list)
    for r in rows:
        if _is_lossy_peer(r) and math.isfinite(r["psnr"]):
            families[r["codec"]].append((r["ratio"], r["psnr"]))
    for family, points in families.items():
        points.sort()
        ratios = np.log([p[0] for p in points])
        if not ratios[0] <= math.log(ratio) <= ratios[-1]:
            continue
        value = float(np.interp(math.log(ratio), ratios, [p[1] for p in points]))
        if best is None or value > best[0]:
            best = (value, family)
    return best


def family_psnr_at(points: list[tuple[float, float]], ratio: float) -> float | None:
    """PSNR of one curve (``(ratio, psnr)`` points) at ``ratio``, interpolated in log
    ratio; None outside the ratios its points span."""
    points = sorted(p for p in points if math.isfinite(p[1]) and p[0] > 0)
    if not points:
        return None
    logs = np.log([p[0] for p in points])
    if not logs[0] - 1e-9 <= math.log(ratio) <= logs[-1] + 1e-9:
        return None
    return float(np.interp(math.log(ratio), logs, [p[1] for p in points]))


def every_codec_at(rows, ratios) -> list[str]:
    """Markdown table: every codec family's PSNR at every target ratio, interpolated along
    its curve ('-' where the target lies outside the ratios its settings span); an
    inrfilter method's cell is its row for that ratio target (the ratio it achieved is
    within a few percent of the target)."""
    families = defaultdict(list)
    for r in rows:
        if "lossless" in r["codec"] or (r["codec"].startswith("inrfilter") and not r["setting"].startswith("ratio=")):
            continue
        families[r["codec"]].append((r["ratio"], r["psnr"]))
    out = ["| codec | " + " | ".join(f"PSNR at ratio {x:g}" for x in ratios) + " | ratios covered |",
           "|---|" + "---:|" * (len(ratios) + 1)]
    for family, points in sorted(families.items()):
        finite = [p for p in points if math.isfinite(p[1])]
        span = f"{min(p[0] for p in finite):.1f}-{max(p[0] for p in finite):.1f}" if finite else "-"
        if family.startswith("inrfilter"):
            at = {r["setting"]: r["psnr"] for r in rows if r["codec"] == family}
            cells = [at.get(f"ratio={x:g}") for x in ratios]
        else:
            cells = [family_psnr_at(points, x) for x in ratios]
        out.append(f"| {family} | " + " | ".join("-" if c is None else f"{c:.2f}" for c in cells) + f" | {span} |")
    return out


def verdicts(rows, ratios) -> list[str]:
    """Per target ratio: inrfilter's best method against the best peer at that ratio."""
    if not any(r["codec"].startswith("inrfilter") for r in rows):
        return ["- inrfilter was not run on this dataset in this profile: peers only."]
    lines = []
    for ratio in ratios:
        ours = [r for r in rows if r["codec"].startswith("inrfilter") and r["setting"] == f"ratio={ratio:g}"]
        if not ours:
            lines.append(f"- ratio {ratio:g}: no inrfilter result (the chunk size cannot reach it).")
            continue
        mine = max(ours, key=lambda r: r["psnr"])
        peer = peer_psnr_at(rows, mine["ratio"])
        head = f"- ratio {ratio:g}: {mine['codec']} {mine['psnr']:.2f} dB at ratio {mine['ratio']:.1f}"
        if peer is None:
            lines.append(f"{head}; no peer setting reached this ratio, so inrfilter is the only codec there.")
            continue
        diff = mine["psnr"] - peer[0]
        verdict = "wins by" if diff > 0 else "loses by"
        lines.append(f"{head} vs {peer[1]} {peer[0]:.2f} dB (interpolated): inrfilter {verdict} {abs(diff):.2f} dB.")
    return lines


def markdown(rows, context, ratios) -> str:
    out = [
        f"# Rate-distortion: inrfilter vs SZ3 / ZFP / SPERR ({context['profile']} profile)",
        "",
        f"Run {context['date']} on {context['cpu']} ({context['cores']} cores), GPU: {context['gpu']}; "
        f"inrfilter trained {context['steps']} steps per batch; {context['minutes']:.1f} minutes in all. "
        "PSNR over each array's whole value range; ratio counts every stored byte (headers included). "
        + context.get("note", ""),
        "",
    ]
    for dataset, group in _by_dataset(rows).items():
        out += [f"## {dataset} ({group[0]['shape']} {group[0]['dtype']})", "", "Where inrfilter stands:", ""]
        out += verdicts(group, ratios)
        out += ["", "Every codec at every target ratio ('-': its settings do not span that ratio):", ""]
        out += every_codec_at(group, ratios)
        out += ["", "| codec | setting | ratio | PSNR dB | max abs err | SSIM | enc MB/s | dec MB/s |",
                "|---|---|---:|---:|---:|---:|---:|---:|"]
        for r in sorted(group, key=lambda r: (r["codec"], r["ratio"])):
            out.append(f"| {r['codec']} | {r['setting']} | {_fmt(r['ratio'], 1)} | {_fmt(r['psnr'])} | "
                       f"{_fmt(r['max_abs_error'], 3)} | {_fmt(r['ssim'], 3)} | {_fmt(r['encode_MBps'])} | "
                       f"{_fmt(r['decode_MBps'])} |")
        out.append("")
    return "\n".join(out)


def plots(rows, folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for dataset, group in _by_dataset(rows).items():
        fig, ax = plt.subplots(figsize=(7, 4.5))
        families = defaultdict(list)
        for r in group:
            if "lossless" not in r["codec"] and math.isfinite(r["psnr"]):
                families[r["codec"]].append((r["ratio"], r["psnr"]))
        colours = plt.get_cmap("tab20").colors  # more curves than the default cycle's 10 colours
        for n, (family, points) in enumerate(sorted(families.items())):
            points.sort()
            style = "-o" if family.startswith("inrfilter") else "--."
            ax.plot([p[0] for p in points], [p[1] for p in points], style, label=family,
                    color=colours[n % len(colours)])
        ax.set_xscale("log")
        ax.set_xlabel("compression ratio")
        ax.set_ylabel("PSNR (dB, whole-array range)")
        ax.set_title(f"{dataset} {group[0]['shape']}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(folder / f"psnr_vs_ratio_{dataset}.png", dpi=110)
        plt.close(fig)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    speeds = defaultdict(lambda: ([], []))
    for r in rows:
        speeds[r["codec"]][0].append(r["encode_MBps"])
        speeds[r["codec"]][1].append(r["decode_MBps"])
    names = sorted(speeds)
    x = np.arange(len(names))
    ax.bar(x - 0.2, [np.nanmedian(speeds[n][0]) for n in names], 0.4, label="encode")
    ax.bar(x + 0.2, [np.nanmedian(speeds[n][1]) for n in names], 0.4, label="decode")
    ax.set_xticks(x, names, rotation=35, ha="right", fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("MB/s of raw data (median over settings)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "throughput.png", dpi=110)
    plt.close(fig)


def summary_table(rows, context, ratios) -> str:
    where = context.get("note") or (f"on {context['cpu']} ({context['cores']} cores, GPU: {context['gpu']}), "
                                     f"{context['steps']} steps.")  # combined runs say where each side ran
    lines = [f"Generated {context['date']} by `python -m benchmarks.ratedistortion --profile {context['profile']}`. "
             f"{where} PSNR (dB) at each target ratio: inrfilter's best method vs the best peer at the same ratio.", "",
             "| dataset | " + " | ".join(f"ratio {r:g}: inrfilter / best peer" for r in ratios) + " |",
             "|---|" + "---|" * len(ratios)]
    for dataset, group in _by_dataset(rows).items():
        cells = []
        for ratio in ratios:
            ours = [r for r in group if r["codec"].startswith("inrfilter") and r["setting"] == f"ratio={ratio:g}"]
            if not ours:
                cells.append("-")
                continue
            mine = max(ours, key=lambda r: r["psnr"])
            peer = peer_psnr_at(group, mine["ratio"])
            cells.append(f"{mine['psnr']:.1f} ({mine['codec'].removeprefix('inrfilter ')}) / "
                         + (f"{peer[0]:.1f} ({peer[1]})" if peer else "none reaches it"))
        lines.append(f"| {dataset} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def update_readme(readme: Path, rows, context, ratios) -> None:
    text = readme.read_text()
    block = f"{README_START}\n{summary_table(rows, context, ratios)}\n{README_END}"
    if README_START in text:
        text = re.sub(re.escape(README_START) + ".*?" + re.escape(README_END), lambda m: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n## Benchmark summary\n\n" + block + "\n"
    readme.write_text(text)
