"""The stop rules' saturation reading, from synthesis: the composition root joins the
scheduler (``campaigns``) to synthesis, which the scheduler may not import.

Synthesis (and its numeric stack) is imported when a campaign with a saturation rule is
first checked, not when a worker starts: ``journeyline serve`` and ``worker`` start
without it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from campaigns.stop_rules import SaturationProbe, SaturationReading


def saturation_probe(sessions: sessionmaker[Session]) -> SaturationProbe:
    """Saturation as ``journeyline synthesize`` reports it (``synthesis.saturation``):
    the campaign's finished interviews in the map's order, pain points clustered with
    the offline default embedder (TF-IDF), and how many interviews came since the last
    one that brought a new pain point."""

    def probe(slug: str) -> SaturationReading | None:
        from synthesis.observations import SynthesisInputError
        from synthesis.pipeline import analyse
        from synthesis.saturation import saturation

        with sessions() as session:
            try:
                analysis = analyse(session, campaign_slug=slug)
            except SynthesisInputError:
                return None  # no steps to read yet
        interview_ids = list(dict.fromkeys(o.interview_id for o in analysis.observations))
        curve = saturation(interview_ids, analysis.pain_points)
        return SaturationReading(
            interviews=curve.interviews, since_last_new=curve.interviews_since_last_new
        )

    return probe
