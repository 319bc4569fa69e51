"""Console accounts through the service, on SQLite and PostgreSQL: what is stored (argon2
hashes, token hashes only), sessions (expiry, idle, revoke, sign out everywhere,
disabled users), throttling across processes, API keys, reset links, the last admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.service.access_tokens import hash_token
from bot.service.console.config import ConsoleConfig
from bot.service.console.errors import (
    ApiKeyRefused,
    EmailTaken,
    InvalidUserInput,
    LastAdmin,
    PasswordRejected,
    ResetLinkInvalid,
    ScopeNotAllowed,
    SignInRefused,
    SignInThrottled,
)
from bot.service.console.permissions import Action, Role
from bot.service.console.service import ConsoleService
from storage.campaign_overview import campaign_counts
from storage.console_models import ApiKey, ConsoleSession, ConsoleUser, FailedSignIn
from tests.console_support import PASSWORD, Clock, cheap_passwords
from tests.synthesis_data import add_standard_interviews, make_campaign

ADDRESS = "203.0.113.7"


def _service(sessions: sessionmaker[Session], clock: Clock, **config: object) -> ConsoleService:
    return ConsoleService(
        sessions,
        config=ConsoleConfig(**config),  # type: ignore[arg-type]
        passwords=cheap_passwords(),
        clock=clock,
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(session_factory: sessionmaker[Session], clock: Clock) -> ConsoleService:
    return _service(session_factory, clock)


def _user(service: ConsoleService, email: str = "ana@example.com", role: str = "admin") -> int:
    user, _ = service.accounts.create(
        email=email, role=role, password=PASSWORD, must_change_password=False
    )
    return user.id


def _sign_in(service: ConsoleService, email: str = "ana@example.com", **kw: str) -> str:
    signed = service.sessions.sign_in(
        email=email,
        password=kw.get("password", PASSWORD),
        client_address=kw.get("address", ADDRESS),
        user_agent="pytest",
    )
    return signed.token


# --------------------------------------------------------------------------- storage


def test_only_argon2_hashes_and_token_hashes_are_stored(
    service: ConsoleService, session_factory: sessionmaker[Session]
) -> None:
    user_id = _user(service)
    token = _sign_in(service)
    key = service.api_keys.create(user_id, name="script", scopes=["campaigns:read"])
    with session_factory.begin() as session:
        user = session.scalars(select(ConsoleUser)).one()
        assert user.email == "ana@example.com"
        assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        stored = session.scalars(select(ConsoleSession)).one()
        assert stored.token_hash == hash_token(token) and token not in stored.token_hash
        api_key = session.scalars(select(ApiKey)).one()
        assert api_key.token_hash == hash_token(key.token)
        assert api_key.prefix == key.token[:9] and key.token not in api_key.token_hash
        assert api_key.scopes == ["campaigns:read"]


def test_emails_are_one_account_whatever_their_case(service: ConsoleService) -> None:
    _user(service, "Ana@Example.COM")
    with pytest.raises(EmailTaken):
        _user(service, " ana@example.com ")
    assert service.accounts.find("ANA@example.com").email == "ana@example.com"
    assert _sign_in(service, "ANA@EXAMPLE.COM")
    with pytest.raises(InvalidUserInput, match="not an email"):
        _user(service, "ana")
    with pytest.raises(InvalidUserInput, match="Unknown role"):
        _user(service, "bo@example.com", role="owner")


def test_password_rules_say_what_is_wrong(service: ConsoleService) -> None:
    for password, words in [
        ("short", "at least 10"),
        ("aaaaaaaaaaaa", "different characters"),
        ("bo@example.com", "not your email"),
    ]:
        with pytest.raises(PasswordRejected, match=words):
            service.accounts.create(email="bo@example.com", role="viewer", password=password)


def test_a_generated_temporary_password_must_be_changed(service: ConsoleService) -> None:
    user, temporary = service.accounts.create(email="bo@example.com", role="viewer")
    assert temporary is not None and len(temporary) == 19
    assert user.must_change_password
    signed = service.sessions.sign_in(
        email="bo@example.com", password=temporary, client_address=ADDRESS, user_agent=None
    )
    assert signed.user.must_change_password
    again = service.change_password(
        user.id, current=temporary, new="a new one of mine", client_address=ADDRESS, user_agent=None
    )
    assert not again.user.must_change_password
    assert service.sessions.resolve(signed.token) is None  # the old session ended
    assert service.sessions.resolve(again.token) is not None
    with pytest.raises(PasswordRejected, match="current password"):
        service.accounts.change_password(user.id, current="wrong", new="another new one")


def test_campaign_counts_in_one_query(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        campaign = make_campaign(session)
        add_standard_interviews(session, campaign=campaign)
    with session_factory.begin() as session:
        (counts,) = campaign_counts(session)
    assert counts.slug == campaign.slug
    assert counts.interviews > 0 and counts.statuses.get("completed", 0) > 0
    assert counts.last_activity_at is not None and counts.last_activity_at.tzinfo is not None


# --------------------------------------------------------------------------- sessions


def test_a_session_ends_at_its_expiry_and_when_idle(
    session_factory: sessionmaker[Session], clock: Clock
) -> None:
    service = _service(
        session_factory,
        clock,
        session_lifetime=timedelta(hours=8),
        idle_timeout=timedelta(hours=1),
    )
    _user(service)
    token = _sign_in(service)
    for _ in range(7):  # busy all day: 7 x 59 minutes, each within the idle timeout
        clock.advance(minutes=59)
        assert service.sessions.resolve(token) is not None
    clock.advance(minutes=61)  # 8 h 14 min: past the absolute expiry
    assert service.sessions.resolve(token) is None
    idle = _sign_in(service)
    clock.advance(minutes=61)
    assert service.sessions.resolve(idle) is None
    with session_factory.begin() as session:  # ended sessions are deleted as seen
        assert session.scalars(select(ConsoleSession)).all() == []


def test_sign_out_and_sign_out_everywhere(service: ConsoleService) -> None:
    ana = _user(service)
    _user(service, "bo@example.com", "viewer")
    first, second, third = (_sign_in(service) for _ in range(3))
    bo = _sign_in(service, "bo@example.com")
    service.sessions.sign_out(first)
    assert service.sessions.resolve(first) is None
    assert service.sessions.resolve(second) is not None
    assert service.sessions.sign_out_everywhere(ana) == 2
    assert service.sessions.resolve(second) is None and service.sessions.resolve(third) is None
    assert service.sessions.resolve(bo) is not None  # someone else's stays


def test_a_disabled_user_cannot_sign_in_and_their_sessions_and_keys_stop(
    service: ConsoleService,
) -> None:
    _user(service)
    bo = _user(service, "bo@example.com", "researcher")
    token = _sign_in(service, "bo@example.com")
    key = service.api_keys.create(bo, name="script", scopes=["campaigns:read"])
    service.accounts.disable(bo)
    assert service.sessions.resolve(token) is None
    with pytest.raises(SignInRefused, match="disabled"):
        _sign_in(service, "bo@example.com")
    with pytest.raises(ApiKeyRefused, match="disabled"):
        service.api_keys.authenticate(key.token)
    with pytest.raises(SignInRefused):  # a wrong password says nothing about the account
        _sign_in(service, "bo@example.com", password="not the password")
    service.accounts.enable(bo)
    assert _sign_in(service, "bo@example.com")
    assert service.api_keys.authenticate(key.token).user.email == "bo@example.com"


def test_a_session_whose_user_was_disabled_directly_in_the_database_stops(
    service: ConsoleService, session_factory: sessionmaker[Session], clock: Clock
) -> None:
    # Another process disables the user: this one must not trust what it saw before.
    _user(service)
    token = _sign_in(service)
    with session_factory.begin() as session:
        session.scalars(select(ConsoleUser)).one().disabled_at = clock()
    assert service.sessions.resolve(token) is None


# --------------------------------------------------------------------------- throttling


def test_failed_sign_ins_lock_the_account_across_processes(
    session_factory: sessionmaker[Session], clock: Clock
) -> None:
    one = _service(session_factory, clock)
    other = _service(session_factory, clock)  # a second server process, same database
    _user(one)
    for attempt in range(5):
        server = (one, other)[attempt % 2]
        with pytest.raises(SignInRefused):
            _sign_in(server, password=f"guess {attempt}", address=f"198.51.100.{attempt}")
    for server in (one, other):
        with pytest.raises(SignInThrottled) as throttled:
            _sign_in(server)  # the right password, but the account is locked
        assert 0 < throttled.value.retry_after <= 15 * 60
        assert "Wait 15 minutes" in str(throttled.value)
    clock.advance(minutes=15, seconds=1)
    assert _sign_in(other)


def test_failed_sign_ins_from_one_address_are_limited_across_accounts(
    session_factory: sessionmaker[Session], clock: Clock
) -> None:
    service = _service(session_factory, clock, failures_per_address=4, failures_per_account=100)
    for n in range(4):
        with pytest.raises(SignInRefused):
            _sign_in(service, f"nobody{n}@example.com", password="guess")
    _user(service)
    with pytest.raises(SignInThrottled):
        _sign_in(service)
    assert _sign_in(service, address="192.0.2.1")  # another address may go on


def test_a_success_clears_the_account_count_and_old_failures_are_forgotten(
    service: ConsoleService, session_factory: sessionmaker[Session], clock: Clock
) -> None:
    _user(service)
    for _ in range(4):
        with pytest.raises(SignInRefused):
            _sign_in(service, password="guess")
    assert _sign_in(service)
    for _ in range(4):  # four more are allowed again
        with pytest.raises(SignInRefused):
            _sign_in(service, password="guess")
    clock.advance(minutes=20)
    with pytest.raises(SignInRefused):
        _sign_in(service, password="guess")
    with session_factory.begin() as session:
        keys = [row.key for row in session.scalars(select(FailedSignIn))]
    assert sorted(keys) == ["account:ana@example.com", f"address:{ADDRESS}"]


# --------------------------------------------------------------------------- API keys


def test_api_keys_carry_a_subset_of_the_owners_permissions(service: ConsoleService) -> None:
    _user(service)
    viewer = _user(service, "vi@example.com", "viewer")
    with pytest.raises(ScopeNotAllowed, match="campaigns:write"):
        service.api_keys.create(viewer, name="x", scopes=["campaigns:read", "campaigns:write"])
    with pytest.raises(InvalidUserInput, match="at least one"):
        service.api_keys.create(viewer, name="x", scopes=[])
    key = service.api_keys.create(viewer, name="reader", scopes=["campaigns:read"])
    principal = service.api_keys.authenticate(key.token)
    assert principal.may(Action.CAMPAIGNS_READ)
    assert not principal.may(Action.MAPS_READ)  # the role allows it, the key does not


def test_demoting_the_owner_takes_power_from_the_key(service: ConsoleService) -> None:
    _user(service)
    researcher = _user(service, "re@example.com", "researcher")
    key = service.api_keys.create(researcher, name="w", scopes=["campaigns:write"])
    assert service.api_keys.authenticate(key.token).may(Action.CAMPAIGNS_WRITE)
    service.accounts.set_role(researcher, Role.VIEWER)
    assert not service.api_keys.authenticate(key.token).may(Action.CAMPAIGNS_WRITE)


def test_revoked_and_unknown_keys_are_refused_and_use_is_recorded(
    service: ConsoleService, clock: Clock
) -> None:
    ana = _user(service)
    key = service.api_keys.create(ana, name="script", scopes=["campaigns:read"])
    (listed,) = service.api_keys.list_for(ana)
    assert listed.last_used_at is None
    service.api_keys.authenticate(key.token)
    (listed,) = service.api_keys.list_for(ana)
    assert listed.last_used_at == clock()
    clock.advance(seconds=30)
    service.api_keys.authenticate(key.token)
    assert service.api_keys.list_for(ana)[0].last_used_at == listed.last_used_at  # throttled
    clock.advance(minutes=2)
    service.api_keys.authenticate(key.token)
    assert service.api_keys.list_for(ana)[0].last_used_at == clock()
    for wrong in ("jl_" + "x" * 43, "not-a-key", key.token[:-1]):
        with pytest.raises(ApiKeyRefused):
            service.api_keys.authenticate(wrong)
    assert service.api_keys.revoke(ana, key.key.id)
    assert not service.api_keys.revoke(ana, key.key.id)
    with pytest.raises(ApiKeyRefused, match="revoked"):
        service.api_keys.authenticate(key.token)
    assert service.api_keys.list_for(ana)[0].revoked_at is not None


# --------------------------------------------------------------------------- admin


def test_reset_links_work_once_expire_and_end_sessions(
    service: ConsoleService, clock: Clock
) -> None:
    ana = _user(service)
    bo = _user(service, "bo@example.com", "viewer")
    old_session = _sign_in(service, "bo@example.com")
    first = service.accounts.make_reset_link(bo, created_by=ana)
    second = service.accounts.make_reset_link(bo, created_by=ana)
    with pytest.raises(ResetLinkInvalid):  # replaced by the newer link
        service.accounts.reset_link_user(first)
    assert service.accounts.reset_link_user(second).email == "bo@example.com"
    signed = service.use_reset_link(
        second, "brand new password", client_address=ADDRESS, user_agent=None
    )
    assert signed.user.email == "bo@example.com"
    assert service.sessions.resolve(old_session) is None
    with pytest.raises(ResetLinkInvalid):
        service.use_reset_link(second, "yet another password", client_address="", user_agent=None)
    assert _sign_in(service, "bo@example.com", password="brand new password")
    late = service.accounts.make_reset_link(bo, created_by=ana)
    clock.advance(hours=25)
    with pytest.raises(ResetLinkInvalid):
        service.accounts.reset_link_user(late)


def test_an_admin_reset_ends_sessions_and_requires_a_new_password(
    service: ConsoleService,
) -> None:
    _user(service)
    bo = _user(service, "bo@example.com", "viewer")
    token = _sign_in(service, "bo@example.com")
    temporary = service.accounts.set_temporary_password(bo)
    assert service.sessions.resolve(token) is None
    with pytest.raises(SignInRefused):
        _sign_in(service, "bo@example.com")  # the old password is gone
    signed = service.sessions.sign_in(
        email="bo@example.com", password=temporary, client_address=ADDRESS, user_agent=None
    )
    assert signed.user.must_change_password


def test_there_is_always_an_active_admin(service: ConsoleService) -> None:
    ana = _user(service)
    with pytest.raises(LastAdmin):
        service.accounts.set_role(ana, "viewer")
    with pytest.raises(LastAdmin):
        service.accounts.disable(ana)
    bo = _user(service, "bo@example.com", "admin")
    service.accounts.disable(ana)
    with pytest.raises(LastAdmin):
        service.accounts.set_role(bo, "researcher")
    service.accounts.enable(ana)
    assert service.accounts.set_role(bo, "researcher").role is Role.RESEARCHER
