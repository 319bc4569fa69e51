"""`journeyline invites ...`: personal links, and invitation waves by email, Slack or link."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import typer
from rich.table import Table

from bot.service import schedule_terms
from bot.service.campaign_csv import links_csv
from bot.service.email_templates import InvalidTemplate
from bot.service.invitations import InvalidSchedule, Invitations, WaveNotFound
from bot.service.links import Links
from bot.service.participants import ParticipantNotFound, Participants
from journeyline.cli.common import abort, console, runtime
from journeyline.scheduler_wiring import link_tokens
from storage.types import utcnow

app = typer.Typer(help="Personal interview links and invitation waves.", no_args_is_help=True)


@app.command("create")
def create(
    campaign: str = typer.Option(..., help="Campaign slug."),
    participant: list[str] = typer.Option(
        [], help="Participant id (repeat for several; none: one anonymous link)."
    ),
    attr: list[str] = typer.Option([], help="Participant attribute KEY=VALUE (repeatable)."),
) -> None:
    """Print one personal link per participant. Each link opens exactly one interview."""
    attributes: dict[str, str] = {}
    for pair in attr:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise abort(f"--attr takes KEY=VALUE, not {pair!r}")
        attributes[key.strip()] = value.strip()
    with runtime() as rt:
        links = Links(rt.sessions, rt.service)
        base = rt.settings.link_base()
        targets: list[str | None] = list(participant) or [None]
        for external_id in targets:
            token = links.create_invite(
                campaign_slug=campaign,
                participant_external_id=external_id,
                attributes=attributes,
            )
            label = f"{external_id}\t" if external_id else ""
            console.print(f"{label}{base}/i/{token}")


@app.command("schedule")
def schedule(
    campaign: str = typer.Option(..., help="Campaign slug."),
    channel: str = typer.Option(..., help="email, slack or link."),
    at: str = typer.Option("now", help='Start, e.g. "2026-12-10 09:00" (in --tz), or now.'),
    tz: str = typer.Option("UTC", help="Time zone of --at, e.g. Europe/Berlin."),
    rate: str = typer.Option(
        "10/s", help="Most messages per second, minute or hour: 50/s, 300/min."
    ),
    remind_after: str | None = typer.Option(
        None, help="Remind those who have not started after this long: 3d, 12h."
    ),
    max_reminders: int | None = typer.Option(
        None, help="At most this many reminders (default 1 with --remind-after)."
    ),
    expire_after: str | None = typer.Option(
        None, help="Links stop starting interviews this long after the invitation: 14d."
    ),
    participant_time: bool = typer.Option(
        False,
        "--participant-time",
        help="Send at --at in each participant's own time zone (the list's time_zone; "
        "--tz for the rest).",
    ),
) -> None:
    """Schedule a wave to every participant not yet invited on the channel (decided at
    the start, so later imports are included). The scheduler in `journeyline serve`, or
    `journeyline worker`, sends it."""
    try:
        start = schedule_terms.local_time(at, tz, now=utcnow())
        per_second = schedule_terms.rate(rate)
        remind = schedule_terms.span(remind_after) if remind_after else None
        expire = schedule_terms.span(expire_after) if expire_after else None
    except ValueError as error:
        raise abort(str(error)) from None
    with runtime() as rt:
        try:
            wave = Invitations(rt.sessions).schedule_wave(
                campaign_slug=campaign, channel=channel, at=start, time_zone=tz,
                rate_per_second=per_second, remind_after=remind, max_reminders=max_reminders,
                expire_after=expire, participant_time=participant_time,
            )  # fmt: skip
        except InvalidSchedule as error:
            raise abort(str(error)) from None
    local = wave.scheduled_at.astimezone(schedule_terms.time_zone(tz))
    reminders = (
        f", up to {wave.max_reminders} reminder(s) every {remind_after}"
        if wave.max_reminders
        else ""
    )
    where = "in each participant's time zone" if participant_time else tz
    console.print(
        f"wave {wave.id}: {channel} invitations from {local:%Y-%m-%d %H:%M} {where} at most "
        f"{rate}{reminders}{f', links expire after {expire_after}' if expire else ''}"
    )


@app.command("waves")
def waves(campaign: str = typer.Option(..., help="Campaign slug.")) -> None:
    """The campaign's waves, how far each has got, and each one's funnel."""
    with runtime() as rt:
        found = Invitations(rt.sessions).waves(campaign_slug=campaign)
        funnels = Participants(rt.sessions).funnel(campaign_slug=campaign)
    table = Table("wave", "channel", "starts", "rate/s", "reminders", "state", "invitations")
    for wave in found:
        local = wave.scheduled_at.astimezone(schedule_terms.time_zone(wave.time_zone))
        counts = ", ".join(f"{n} {s}" for s, n in sorted(wave.counts.items())) or "-"
        table.add_row(
            str(wave.id), wave.channel, f"{local:%Y-%m-%d %H:%M} {wave.time_zone}",
            f"{wave.rate_per_second:g}", str(wave.max_reminders), wave.state, counts,
        )  # fmt: skip
    console.print(table)
    for funnel in funnels:
        label = f"wave {funnel.wave_id} ({funnel.channel})" if funnel.wave_id else "not invited"
        steps = " -> ".join(f"{step} {n}" for step, n in funnel.steps.items())
        console.print(
            f"{label}: {steps}" if funnel.wave_id else f"{label}: {sum(funnel.statuses.values())}"
        )


@app.command("revoke")
def revoke(
    campaign: str = typer.Option(..., help="Campaign slug."),
    wave: int | None = typer.Option(None, help="Only this wave."),
    participant: list[str] = typer.Option(
        [], help="Only these participants (id, email or Slack id; repeatable)."
    ),
) -> None:
    """Withdraw invitations: nothing more is sent, links not opened yet stop working.
    Interviews already opened go on."""
    with runtime() as rt:
        ids: list[int] | None = None
        if participant:
            people = Participants(rt.sessions)
            try:
                ids = [
                    people.detail(campaign_slug=campaign, participant=p).participant.id
                    for p in participant
                ]
            except ParticipantNotFound as error:
                raise abort(str(error)) from None
        try:
            count = Invitations(rt.sessions).revoke(
                campaign_slug=campaign, wave_id=wave, participant_ids=ids
            )
        except WaveNotFound as error:
            raise abort(str(error)) from None
    console.print(f"revoked {count} invitation(s)")


@app.command("export")
def export(
    campaign: str = typer.Option(..., help="Campaign slug."),
    out: Path = typer.Option(
        ..., help="CSV file to write (participant, name, email, link, status)."
    ),
    wave: int | None = typer.Option(None, help="Only this wave."),
) -> None:
    """Write every personal link of the campaign's invitations to a CSV, for any other
    tool (a link wave's links, or the links email and Slack invitations carry)."""
    with runtime() as rt:
        rows = Invitations(rt.sessions, tokens=link_tokens(rt.settings)).export_links(
            campaign_slug=campaign, wave_id=wave
        )
    out.write_text(links_csv(rows), encoding="utf-8")
    console.print(f"wrote {len(rows)} link(s) to {out}")


@app.command("template")
def template(
    campaign: str = typer.Option(..., help="Campaign slug."),
    kind: str = typer.Option("invitation", help="invitation or reminder."),
    subject: str = typer.Option(..., help="Subject line (Jinja2)."),
    text: Path = typer.Option(..., exists=True, dir_okay=False, help="Plain-text body (Jinja2)."),
    html: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="HTML body (Jinja2, autoescaped)."
    ),
) -> None:
    """Give the campaign its own invitation or reminder email."""
    with runtime() as rt:
        try:
            Invitations(rt.sessions).set_template(
                campaign_slug=campaign, kind=kind, subject=subject,
                body_text=text.read_text(encoding="utf-8"),
                body_html=html.read_text(encoding="utf-8") if html else None,
            )  # fmt: skip
        except InvalidTemplate as error:
            raise abort(str(error)) from None
    console.print(f"stored the {kind} template of {campaign}")


@app.command("trigger")
def trigger(
    campaign: str = typer.Option(..., help="Campaign slug."),
    channel: str = typer.Option("email", help="email or slack."),
    delay: str = typer.Option("1h", help="How long after a case closes to invite: 2h, 1d."),
    sample: float = typer.Option(1.0, help="Share of closed cases to invite (0-1]."),
    cooldown: str = typer.Option("90d", help="Nobody is asked twice within this span: 90d."),
    rate: str = typer.Option("5/s", help="Most messages per second or minute."),
    remind_after: str | None = typer.Option(None, help="Remind after this long: 3d."),
    max_reminders: int = typer.Option(0, help="At most this many reminders."),
    expire_after: str | None = typer.Option(None, help="Links expire this long after sending."),
) -> None:
    """Invite people after their support case closes, as the helpdesk webhook
    (/hooks/helpdesk/CAMPAIGN) reports cases. A newer trigger replaces this one."""
    from bot.service.triggers import Triggers

    try:
        wait = schedule_terms.span(delay) if delay not in ("0", "0s") else None
        cool = schedule_terms.span(cooldown).days if cooldown not in ("0", "0d") else 0
        per_second = schedule_terms.rate(rate)
        remind = schedule_terms.span(remind_after) if remind_after else None
        expire = schedule_terms.span(expire_after) if expire_after else None
    except ValueError as error:
        raise abort(str(error)) from None
    with runtime() as rt:
        try:
            wave = Triggers(rt.sessions, tokens=link_tokens(rt.settings)).configure(
                campaign_slug=campaign, channel=channel,
                delay=wait or timedelta(0), sample_rate=sample, cooldown_days=cool,
                rate_per_second=per_second, remind_after=remind, max_reminders=max_reminders,
                expire_after=expire,
            )  # fmt: skip
        except InvalidSchedule as error:
            raise abort(str(error)) from None
    console.print(
        f"trigger wave {wave.id}: {channel} invitations {delay} after a case closes, "
        f"{sample:.0%} of cases, nobody twice within {cooldown}; cases go to "
        f"{rt.settings.link_base()}/hooks/helpdesk/{campaign}"
    )
