"""PNG charts of a journey map (matplotlib, Agg backend): the emotion curve with its
spread band, and the channel mix per stage.

matplotlib is imported when a chart is drawn, not with this module: it is slow to import
and nothing else needs it. Drawing is deterministic (fixed size, fonts and metadata), so
the same map gives the same bytes with the same matplotlib.

Labels are plain text: matplotlib would read ``$...$`` in a stage's name as maths (and
fail on a malformed formula after part of the output was written), so charts are drawn
with ``text.parse_math`` and ``text.usetex`` off, and every label is made visible on one
line (:func:`synthesis.plain_text.one_line`) and cut to a length a chart can show.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from synthesis.model import JourneyMap
from synthesis.palette import CHANNEL_COLOURS, OTHER_COLOUR, SPARE_COLOURS
from synthesis.plain_text import one_line

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 120
INK = "#1d2430"
MUTED = "#5b6575"
ACCENT = "#2f5fb3"
FEELING_COLOURS = {"bad": "#c8453b", "ok": "#c98a12", "good": "#2e8b57"}
LIGHT = {"#E69F00", "#F0E442", "#56B4E9", "#C8CDD5", "#999933", "#44AA99"}
OTHER = "other channels"
MAX_CHANNELS = 7
MAX_TITLE = 60
MAX_LEGEND = 30


@contextlib.contextmanager
def _plain_labels() -> Iterator[None]:
    """Text drawn in this block is text, never maths or LaTeX (labels and tick labels
    read the setting when they are made, some only when the figure is saved)."""
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        yield


def _figure(width: float, height: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    # No "Software" version stamp: the bytes depend on the drawing only.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _stage_labels(journey_map: JourneyMap, width: int = 16) -> list[str]:
    # A frame stage's id repeats its name ("wait", "Waiting"): number it instead.
    return [
        (f"{n}" if s.frame_stage else _label(s.id, width))
        + "\n"
        + "\n".join(
            textwrap.wrap(_label(s.name, 4 * width), width=width, max_lines=2, placeholder="…")
        )
        for n, s in enumerate(journey_map.stages, start=1)
    ]


def render_emotion_curve_png(journey_map: JourneyMap) -> bytes:
    """Mean feeling per stage (1 very bad .. 5 great) with a mean ± spread band."""
    with _plain_labels():
        return _emotion_curve(journey_map)


def _emotion_curve(journey_map: JourneyMap) -> bytes:
    from synthesis.render_html import feeling_level

    stages = journey_map.stages
    figure = _figure(max(6.0, 1.6 * len(stages) + 1.5), 4.2)
    ax: Any = figure.add_subplot()
    xs = list(range(len(stages)))
    means = [s.feeling.mean for s in stages]
    spreads = [s.feeling.spread or 0.0 for s in stages]
    rated = [(x, m, sd) for x, m, sd in zip(xs, means, spreads, strict=True) if m is not None]
    ax.axhspan(1, 2.5, color=FEELING_COLOURS["bad"], alpha=0.05, lw=0)
    ax.axhspan(3.5, 5, color=FEELING_COLOURS["good"], alpha=0.05, lw=0)
    ax.axhline(3, color="#b9c1ce", lw=1, ls="--")
    if rated:
        rx = [x for x, _, _ in rated]
        rm = [m for _, m, _ in rated]
        lo = [max(1.0, m - sd) for _, m, sd in rated]
        hi = [min(5.0, m + sd) for _, m, sd in rated]
        ax.fill_between(rx, lo, hi, color=ACCENT, alpha=0.16, lw=0, label="± spread")
        ax.plot(rx, rm, color=ACCENT, lw=2.5, zorder=3, label="mean feeling")
        for x, m, _ in rated:
            ax.scatter([x], [m], s=70, zorder=4, color=FEELING_COLOURS[feeling_level(m)])
            ax.annotate(
                f"{m:.1f}",
                (x, m),
                textcoords="offset points",
                xytext=(0, 9),
                ha="center",
                fontsize=9,
                color=INK,
            )
    ax.set_ylim(0.8, 5.3)
    ax.set_yticks([1, 2, 3, 4, 5], ["1 very bad", "2 bad", "3 okay", "4 good", "5 great"])
    ax.set_xlim(-0.5, max(0.5, len(stages) - 0.5))
    ax.set_xticks(xs, _stage_labels(journey_map))
    ax.tick_params(axis="both", labelsize=9, colors=INK)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#e3e7ee", lw=0.8)
    ax.set_axisbelow(True)
    ax.set_title(_title(journey_map, "Feeling along the journey"), loc="left", fontsize=11)
    if rated:
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    else:
        ax.text(0.5, 0.5, "no feeling ratings yet", transform=ax.transAxes, ha="center")
    return _png(figure)


def render_channel_mix_png(journey_map: JourneyMap) -> bytes:
    """Per stage, the share of its steps on each channel (100% stacked bars)."""
    with _plain_labels():
        return _channel_mix(journey_map)


def _channel_mix(journey_map: JourneyMap) -> bytes:
    from synthesis.render_html import channel_label

    stages = journey_map.stages
    totals: dict[str, int] = {}
    for s in stages:
        for c in s.channel_mix:
            totals[c.value] = totals.get(c.value, 0) + c.count
    ranked = sorted(totals, key=lambda v: (-totals[v], v))
    shown = ranked[:MAX_CHANNELS]
    figure = _figure(7.5, max(2.6, 0.62 * len(stages) + 1.6))
    ax: Any = figure.add_subplot()
    ys = list(range(len(stages)))
    left = [0.0] * len(stages)
    series = [*shown, *([OTHER] if len(ranked) > len(shown) else [])]
    for n, channel in enumerate(series):
        widths = []
        for s in stages:
            mix = {c.value: c.share for c in s.channel_mix}
            share = (
                sum(v for k, v in mix.items() if k not in shown)
                if channel == OTHER
                else mix.get(channel, 0.0)
            )
            widths.append(share * 100)
        label = OTHER if channel == OTHER else _label(channel_label(channel), MAX_LEGEND)
        colour = (
            OTHER_COLOUR
            if channel == OTHER
            else CHANNEL_COLOURS.get(channel) or SPARE_COLOURS[n % len(SPARE_COLOURS)]
        )
        ax.barh(ys, widths, left=left, color=colour, label=label, height=0.62)
        for y, (x0, w) in enumerate(zip(left, widths, strict=True)):
            if w >= 12:
                dark = colour in LIGHT
                ax.text(
                    x0 + w / 2,
                    y,
                    f"{w:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=INK if dark else "white",
                )
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(ys, [lab.replace("\n", " ", 1) for lab in _stage_labels(journey_map, 28)])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the stage's steps (%)", fontsize=9, color=MUTED)
    ax.tick_params(axis="both", labelsize=9, colors=INK)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(_title(journey_map, "Channel mix per stage"), loc="left", fontsize=11)
    figure.legend(
        loc="outside lower center", ncols=min(6, len(series)) or 1, fontsize=8, frameon=False
    )
    return _png(figure)


def _title(journey_map: JourneyMap, what: str) -> str:
    segment = ", ".join(f"{k}={v}" for k, v in (journey_map.segment or {}).items())
    scope = journey_map.campaign + (f" ({segment})" if segment else "")
    return f"{what}: {_label(scope, MAX_TITLE)}, {journey_map.interview_count} interviews"


def _label(text: str, limit: int) -> str:
    """``text`` visible, on one line, at most ``limit`` characters."""
    flat = one_line(text)
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
