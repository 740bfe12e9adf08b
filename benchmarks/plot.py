"""Draw the ratios of a benchmark run: ``python plot.py results.json ratios.png``.

Runs in ``benchmarks/.envs/plot`` (matplotlib), started by ``run.py``; standard library and
matplotlib only.
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib import ticker


def main(source: str, target: str) -> None:
    with open(source, encoding="utf-8") as handle:
        data = json.load(handle)
    clients = data["clients"]
    labels = data["labels"]
    measures = [m for m in data["measures"].values() if m["key"] in data["summary"]]
    columns = min(4, len(measures))
    rows = -(-len(measures) // columns)
    figure, grid = plt.subplots(rows, columns, figsize=(3.6 * columns, 4.0 * rows), squeeze=False)
    axes = [axis for row in grid for axis in row]
    for axis in axes[len(measures) :]:
        axis.axis("off")
    for axis, measure in zip(axes, measures, strict=False):
        row = data["summary"][measure["key"]]
        names, values = [], []
        for client in clients:
            entry = row.get(client)
            if entry and entry.get("ratio") is not None:
                names.append(labels[client])
                values.append(entry["ratio"])
        colours = [
            "#2b6cb0"
            if name.startswith("infermux")
            else "#a0aec0"
            if name != "raw httpx2"
            else "#4a5568"
            for name in names
        ]
        axis.bar(range(len(values)), values, color=colours)
        axis.set_xticks(range(len(values)), names, rotation=60, ha="right", fontsize=8)
        axis.axhline(1.0, color="#4a5568", linewidth=0.8)
        if measure.get("target") is not None:
            axis.axhline(measure["target"], color="#c53030", linestyle="--", linewidth=1)
        if values and max(values) / max(min(values), 1e-9) > 8:
            axis.set_yscale("log")
            axis.yaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))
            axis.yaxis.set_minor_formatter(ticker.NullFormatter())
        axis.set_title(measure["title"].replace(" (", "\n("), fontsize=8)
        axis.set_ylabel(
            "x raw httpx2" + (" (higher is better)" if measure["higher_is_better"] else ""),
            fontsize=8,
        )
        for index, value in enumerate(values):
            axis.annotate(f"{value:.2f}", (index, value), ha="center", va="bottom", fontsize=7)
    figure.suptitle(
        "infermux and peers, as multiples of raw httpx2 (red dashes: infermux's target)",
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(target, dpi=120)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
