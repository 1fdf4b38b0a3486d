"""The drawing, with matplotlib's Agg backend; only the chart process imports it.

The labels come in already translated. A Figure with its own Agg canvas, never pyplot: no
global figure state, nothing shown on a screen.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from functools import lru_cache

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Fonts tried in order for each character: DejaVu (matplotlib's own) covers Latin and
# Cyrillic; Japanese and Thai need one of these on the host (fonts-noto-cjk, fonts-thai-tlwg).
_FAMILIES = (
    "DejaVu Sans",
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "IPAexGothic",
    "TakaoPGothic",
    "Noto Sans Thai",
    "Loma",
    "Garuda",
)
_COLOURS = ("#2e7d32", "#66bb6a", "#1565c0", "#c62828", "#ef6c00", "#757575", "#8e24aa")


@lru_cache(maxsize=1)
def _families() -> list[str]:
    """The families of `_FAMILIES` installed here (asking for a missing one logs a warning)."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return [family for family in _FAMILIES if family in installed] or ["sans-serif"]


def bar_chart(title: str, bars: Sequence[tuple[str, int, str]]) -> bytes:
    """A horizontal bar per (label, value, value as shown), top to bottom, as PNG bytes."""
    figure = Figure(figsize=(6.4, 1.2 + 0.45 * len(bars)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(bars)))
    colours = [_COLOURS[index % len(_COLOURS)] for index in positions]
    drawn = axes.barh(positions, [value for _, value, _ in bars], color=colours)
    axes.set_yticks(positions, [label for label, _, _ in bars], fontfamily=_families())
    axes.bar_label(drawn, labels=[shown for _, _, shown in bars], padding=3)
    axes.invert_yaxis()
    axes.set_xmargin(0.15)
    axes.xaxis.set_visible(False)
    axes.spines[["top", "right", "bottom"]].set_visible(False)
    axes.set_title(title, fontfamily=_families(), loc="left")
    return _png(figure)


def column_chart(title: str, columns: Sequence[tuple[str, int]]) -> bytes:
    """A column per (label, value), left to right (days of a month), as PNG bytes."""
    figure = Figure(figsize=(8, 3.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(columns)))
    axes.bar(positions, [value for _, value in columns], color=_COLOURS[2])
    # Every label of a month's days would overlap: every few, always the first.
    step = max(1, len(columns) // 10)
    shown = positions[::step]
    axes.set_xticks(shown, [columns[index][0] for index in shown], fontfamily=_families())
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(title, fontfamily=_families(), loc="left")
    return _png(figure)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # A character no installed font has is drawn as a box; that is no reason to fail.
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        figure.tight_layout()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
