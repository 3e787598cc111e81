"""Server-side SVG charts for the staff dashboard: geometry here, drawing in a template.

No script and no library: the chart is an <svg> in the page (it prints, and works with
JavaScript off); the table below it stays the accessible source of the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 6, 12, 36
# Fewest month slots drawn: one month alone is not a wall of colour.
MIN_SLOTS = 6
# Distinct on paper and for the common colour-vision deficiencies (Okabe–Ito).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")


@dataclass(frozen=True)
class Bar:
    """One bar: where it is, its value and what it is (for its <title>)."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str


@dataclass(frozen=True)
class Chart:
    """A grouped bar chart: bars, month labels under the groups, gridlines with values."""

    width: int
    height: int
    bars: list[Bar]
    months: list[tuple[float, str]]
    grid: list[tuple[float, int]]
    legend: list[tuple[str, str]]
    summary: str


def _nice_top(value: int) -> int:
    """Return the axis top: four round steps (1, 2, 5 × 10ⁿ each) reaching value."""
    need = -(-value // 4)
    scale = 1
    while True:
        for factor in (1, 2, 5):
            if scale * factor >= need:
                return 4 * scale * factor
        scale *= 10


def monthly_bars(
    rows: list[dict[str, Any]], series: tuple[str, ...], labels: dict[str, str], months: int = 12
) -> Chart:
    """Return a chart of the last months (oldest on the left) for a few series."""
    shown = list(reversed(rows[:months]))  # rows come newest first
    top = _nice_top(max([int(r[s] or 0) for r in shown for s in series] + [1]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group = plot_w / max(len(shown), MIN_SLOTS)
    bar_w = group * 0.8 / len(series)
    bars, ticks = [], []
    for n, row in enumerate(shown):
        start = LEFT + n * group + group * 0.1
        ticks.append((start + group * 0.4, str(row["month"])[2:].replace("-", ".")))
        for k, name in enumerate(series):
            value = int(row[name] or 0)
            height = plot_h * value / top
            label = f"{row['month']} {labels[name]} {value}건"
            bars.append(
                Bar(start + k * bar_w, TOP + plot_h - height, bar_w, height, COLOURS[k], label)
            )
    grid = [(TOP + plot_h - plot_h * i / 4, top * i // 4) for i in range(5)]
    legend = [(COLOURS[k], labels[name]) for k, name in enumerate(series)]
    names = ", ".join(labels[name] for name in series)
    summary = f"최근 {len(shown)}개월 월별 {names} 건수 막대그래프. 같은 숫자가 아래 표에 있습니다."
    return Chart(WIDTH, HEIGHT, bars, ticks, grid, legend, summary)
