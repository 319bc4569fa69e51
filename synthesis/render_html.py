"""One self-contained HTML page of a journey map: lanes per stage, an SVG feeling curve
with its spread band, pain points, metrics, channel paths, saturation and segments.

No external resources and no script: the stylesheet is inline and allowed by its hash in
the page's Content-Security-Policy (``default-src 'none'``), so the page works offline, as
an e-mail attachment, and under a strict CSP. Jinja autoescaping HTML-escapes every piece
of customer text; nothing is marked safe except the stylesheet and the SVG path data built
here from numbers. Every printed string is made visible first (``finalize``:
:func:`synthesis.plain_text.visible_text`), so no bidi override or invisible character
reaches the page even from a map that was not published.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from synthesis.formatting import human_minutes
from synthesis.model import JourneyMap, Saturation, Stage
from synthesis.palette import CHANNEL_COLOURS
from synthesis.plain_text import visible_text

CURVE_HEIGHT = 160
CURVE_TOP = 14
CURVE_BOTTOM = 146
COLUMN = 100
SATURATION_WIDTH = 600
SATURATION_HEIGHT = 140
# A moment-of-truth answer shorter than this, or only a reference, does not say why.
MIN_WHY_WORDS = 4
_BARE_REFERENCE = re.compile(
    r"(?:it was |probably |i think |maybe )*(?:the )?(?:step|number)\s*\d+\W*"
    r"(?:i think|probably)?\W*"
)


@dataclass(frozen=True)
class CurvePart:
    """One unbroken run of rated stages: the mean line and the spread band around it."""

    line: str
    band: str


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    level: str
    label: str


def channel_label(value: str) -> str:
    """``live_chat`` -> ``Live chat`` (the vocabulary's labels live in ``bot``, which
    synthesis does not import)."""
    special = {
        "none": "No contact",
        "sms": "SMS",
        "unknown": "Unknown",
        "help_center": "Help center",
    }
    if value in special:
        return special[value]
    words = value.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def feeling_level(mean: float | None) -> str:
    if mean is None:
        return "none"
    return "bad" if mean < 2.5 else "ok" if mean < 3.5 else "good"


def _y(feeling: float) -> float:
    clipped = min(5.0, max(1.0, feeling))
    return round(CURVE_TOP + (5.0 - clipped) / 4.0 * (CURVE_BOTTOM - CURVE_TOP), 2)


def feeling_curve(stages: list[Stage]) -> tuple[list[CurvePart], list[Dot]]:
    """The curve in a viewBox ``COLUMN`` wide per stage (stage i centred at i*100+50),
    broken where a stage has no ratings; the band is mean ± spread, clipped to 1..5."""
    parts: list[CurvePart] = []
    dots: list[Dot] = []
    run: list[tuple[float, float, float]] = []

    def close() -> None:
        if not run:
            return
        if len(run) == 1:  # a lone stage: a short flat band so it is still visible
            x, mean, sd = run[0]
            xs = [(x - COLUMN * 0.3, mean, sd), (x + COLUMN * 0.3, mean, sd)]
        else:
            xs = run
        line = " ".join(f"{x:g},{_y(m)}" for x, m, _ in xs)
        upper = [f"{x:g},{_y(m + sd)}" for x, m, sd in xs]
        lower = [f"{x:g},{_y(m - sd)}" for x, m, sd in reversed(xs)]
        parts.append(CurvePart(line=line, band=" ".join(upper + lower)))
        run.clear()

    for i, stage in enumerate(stages):
        mean, sd = stage.feeling.mean, stage.feeling.spread or 0.0
        x = i * COLUMN + COLUMN / 2
        if mean is None:
            close()
            continue
        run.append((x, mean, sd))
        dots.append(
            Dot(x=x, y=_y(mean), level=feeling_level(mean), label=f"{stage.id} {mean:.1f}/5")
        )
    close()
    return parts, dots


SAT_LEFT, SAT_RIGHT, SAT_TOP, SAT_BOTTOM = 36, 12, 14, 26


def saturation_curve(journey_map: JourneyMap) -> str:
    """Polyline points of cumulative pain points over interviews (a step line) in a
    ``SATURATION_WIDTH`` x ``SATURATION_HEIGHT`` box with room for axis labels."""
    return saturation_polyline(journey_map.saturation)


def saturation_polyline(sat: Saturation | None) -> str:
    """:func:`saturation_curve` of a map's ``Saturation`` alone (the console's progress
    page draws it without loading the whole map)."""
    if sat is None or not sat.points:
        return ""
    top = max(1, sat.pain_points)
    n = len(sat.points)
    width = SATURATION_WIDTH - SAT_LEFT - SAT_RIGHT
    height = SATURATION_HEIGHT - SAT_TOP - SAT_BOTTOM

    def xy(index: float, value: int) -> str:
        x = SAT_LEFT + index / n * width
        y = SAT_TOP + height - value / top * height
        return f"{x:.1f},{y:.1f}"

    points = [xy(0, 0)]
    previous = 0
    for p in sat.points:
        points.append(xy(p.index - 1, previous))
        points.append(xy(p.index - 1, p.cumulative))
        previous = p.cumulative
    points.append(xy(n, previous))
    return " ".join(points)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("synthesis", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_visible,
    )
    env.filters["channel"] = channel_label
    env.filters["level"] = feeling_level
    env.filters["minutes"] = human_minutes
    env.filters["pct"] = lambda x: "-" if x is None else f"{x:.0%}"
    env.filters["num"] = lambda x, digits=1: "-" if x is None else f"{x:.{digits}f}"
    env.filters["clip"] = clip
    env.filters["humanise"] = lambda t: t.replace("_", " ")[:1].upper() + t.replace("_", " ")[1:]
    env.tests["explains"] = explains
    env.tests["phrase_of"] = phrase_of
    return env


def _visible(value: object) -> object:
    """What a ``{{ ... }}`` prints: strings made visible; markup we built kept as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible_text(value)
    return value


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word if it is longer, with an ellipsis
    (the printed map keeps each cell readable; the page and the JSON keep every word)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def phrase_of(phrase: str, text: str) -> bool:
    """Whether ``phrase`` (a name made of a customer's words) is how ``text`` begins, so
    showing both would say the same thing twice."""

    def plain(value: str) -> str:
        return " ".join(re.sub(r"[^\w\s]", " ", value.casefold()).split())

    return bool(plain(phrase)) and plain(text).startswith(plain(phrase))


def explains(answer: str) -> bool:
    """Whether a moment-of-truth answer says why, not only which step ("step 2", "the
    third one", "none"): worth showing in the stage's cell."""
    words = answer.split()
    return len(words) >= MIN_WHY_WORDS and not _BARE_REFERENCE.fullmatch(answer.strip().lower())


def _stylesheet(columns: int) -> str:
    css = resources.files("synthesis").joinpath("templates/map.css").read_text(encoding="utf-8")
    channels = "".join(
        f".bars .bar.ch-{name} {{ fill: {colour}; }}\n" for name, colour in CHANNEL_COLOURS.items()
    )
    return css.replace("STAGE_COLUMNS", str(max(1, columns))) + channels


@dataclass(frozen=True)
class SharedBanner:
    """What a share link's page says above the map: who shared it, until when, their
    note, and where its PDF is."""

    shared_by: str
    until: str
    note: str
    pdf_href: str


def style_hash(stage_count: int) -> str:
    """The CSP source (``'sha256-...'``) of the page's inline stylesheet for a map of
    ``stage_count`` stages."""
    stylesheet = _stylesheet(stage_count)
    digest = base64.b64encode(hashlib.sha256(stylesheet.encode("utf-8")).digest()).decode()
    return f"sha256-{digest}"


def content_security_policy(stage_count: int) -> str:
    """The page's Content-Security-Policy: nothing but its own inline stylesheet (a
    server sends it as a header too, with ``frame-ancestors``)."""
    return (
        f"default-src 'none'; style-src '{style_hash(stage_count)}'; img-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


def render_html(
    journey_map: JourneyMap,
    *,
    links: dict[str, str] | None = None,
    parent: str | None = None,
    shared: SharedBanner | None = None,
) -> str:
    """The page as HTML text (same map -> same bytes). ``links`` maps a segment value to
    a relative URL of its page (the comparison table links them when given); ``parent``
    is the URL of the whole campaign's page, for a segment's page; ``shared`` makes it a
    share link's page (a banner, and kept out of search engines)."""
    stylesheet = _stylesheet(len(journey_map.stages))
    parts, dots = feeling_curve(journey_map.stages)
    points_by_stage: dict[str, list[str]] = {s.id: [] for s in journey_map.stages}
    for point in journey_map.pain_points:
        for stage in point.stages:
            points_by_stage.setdefault(stage, []).append(point.id)
    template = _environment().get_template("map.html")
    return template.render(
        m=journey_map,
        stylesheet=stylesheet,
        policy=content_security_policy(len(journey_map.stages)),
        shared=shared,
        curve_parts=parts,
        curve_dots=dots,
        curve_width=max(1, len(journey_map.stages)) * COLUMN,
        curve_height=CURVE_HEIGHT,
        gridlines=[(level, _y(level)) for level in range(1, 6)],
        points_by_stage=points_by_stage,
        pain_labels={p.id: p.label for p in journey_map.pain_points},
        stage_names={s.id: s.name for s in journey_map.stages},
        saturation_points=saturation_curve(journey_map),
        saturation_width=SATURATION_WIDTH,
        sat_box={
            "left": SAT_LEFT,
            "right": SATURATION_WIDTH - SAT_RIGHT,
            "top": SAT_TOP,
            "bottom": SATURATION_HEIGHT - SAT_BOTTOM,
        },
        saturation_height=SATURATION_HEIGHT,
        links=links or {},
        parent=parent,
        channel_classes=set(CHANNEL_COLOURS),
    )
