"""The browser session cookie and its CSRF token."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from kleio_server.auth.errors import AuthError
from kleio_server.auth.principal import Principal
from kleio_server.auth.session import ProviderTokens, SessionCodec
from tests.fakes.oidc_issuer import ManualClock

SECRET = bytes(range(32))
TTL = timedelta(hours=8)
ADA = Principal(
    issuer="https://kleio-test.zitadel.example",
    subject="279384817267384321",
    roles=frozenset({"kleio.user", "kleio.admin"}),
    expires_at=datetime(2025, 6, 15, 12, 0, 0, 123456, tzinfo=UTC),
    name="Ada Lovelace",
    email="ada@example.org",
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def codec(clock: ManualClock) -> SessionCodec:
    return SessionCodec(SECRET, clock=clock)


def _rejected(codec: SessionCodec, value: str, description: str = "invalid session") -> None:
    with pytest.raises(AuthError) as caught:
        codec.read(value)
    assert (caught.value.error, caught.value.description) == ("invalid_token", description)


@pytest.mark.parametrize(
    "principal",
    [ADA, Principal(issuer="kleio:local", subject="local", roles=frozenset(), expires_at=None)],
)
def test_a_session_reads_back_as_the_same_principal(
    codec: SessionCodec, principal: Principal
) -> None:
    assert codec.read(codec.issue(principal, TTL)) == principal


def test_the_payload_is_encrypted(codec: SessionCodec) -> None:
    value = codec.issue(ADA, TTL)
    decoded = b"".join(
        base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in value.split(".")
    )
    for secret in (ADA.subject, ADA.email, "kleio.admin"):
        assert secret is not None
        assert secret.encode() not in decoded


def test_the_session_expires_after_its_ttl(codec: SessionCodec, clock: ManualClock) -> None:
    value = codec.issue(ADA, TTL)
    clock.advance(TTL.total_seconds() - 1)
    assert codec.read(value) == ADA
    clock.advance(1)
    _rejected(codec, value, "session expired")


def _flip(value: str, index: int) -> str:
    replacement = "A" if value[index] != "A" else "B"
    return value[:index] + replacement + value[index + 1 :]


@pytest.mark.parametrize("part", [0, 2, 3, 4])
def test_a_tampered_session_is_rejected(codec: SessionCodec, part: int) -> None:
    value = codec.issue(ADA, TTL)
    parts = value.split(".")
    parts[part] = _flip(parts[part], len(parts[part]) // 2)
    _rejected(codec, ".".join(parts))


def test_a_session_from_another_secret_is_rejected(codec: SessionCodec) -> None:
    other = SessionCodec(bytes(reversed(SECRET)))
    _rejected(codec, other.issue(ADA, TTL))


@pytest.mark.parametrize("value", ["", "garbage", "a.b.c.d.e", "x" * 10_000])
def test_garbage_is_rejected(codec: SessionCodec, value: str) -> None:
    _rejected(codec, value)


@pytest.mark.parametrize("ttl", [timedelta(0), timedelta(seconds=-1)])
def test_a_session_must_live_a_while(codec: SessionCodec, ttl: timedelta) -> None:
    with pytest.raises(ValueError, match="positive"):
        codec.issue(ADA, ttl)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        SessionCodec(b"too short")


def test_csrf_token_matches_only_its_session(codec: SessionCodec) -> None:
    session = codec.issue(ADA, TTL)
    other_session = codec.issue(ADA, TTL)
    token = codec.csrf_token_for(session)
    assert codec.check_csrf(session, token)
    assert codec.csrf_token_for(session) == token
    assert not codec.check_csrf(other_session, token)
    assert not codec.check_csrf(session, _flip(token, 0))
    assert not codec.check_csrf(session, token[:-1])
    assert not codec.check_csrf(session, "é" + token[1:])


@pytest.mark.parametrize("header", [None, ""])
def test_a_missing_csrf_header_fails(codec: SessionCodec, header: str | None) -> None:
    assert not codec.check_csrf(codec.issue(ADA, TTL), header)


def test_csrf_tokens_depend_on_the_secret(codec: SessionCodec) -> None:
    session = codec.issue(ADA, TTL)
    other = SessionCodec(bytes(reversed(SECRET)))
    assert not codec.check_csrf(session, other.csrf_token_for(session))


def test_a_renewed_session_keeps_its_id_and_csrf_token(codec: SessionCodec) -> None:
    first = codec.issue(ADA, TTL, tokens=ProviderTokens("refresh-1", "id.token.1"))
    opened = codec.open(first)
    assert opened.tokens == ProviderTokens("refresh-1", "id.token.1")
    renewed = codec.issue(
        ADA, TTL, session_id=opened.session_id, tokens=ProviderTokens("refresh-2", None)
    )
    assert renewed != first
    assert codec.open(renewed).session_id == opened.session_id
    assert codec.check_csrf(renewed, codec.csrf_token_for(first))
    assert not codec.check_csrf(codec.issue(ADA, TTL), codec.csrf_token_for(first))


def test_the_sign_in_state_cookie_is_no_session_and_expires(
    codec: SessionCodec, clock: ManualClock
) -> None:
    state = codec.seal_state({"state": "s", "nonce": "n"}, timedelta(minutes=10))
    assert codec.open_state(state)["nonce"] == "n"
    _rejected(codec, state)  # never accepted as a session
    with pytest.raises(AuthError):
        codec.open_state(codec.issue(ADA, TTL))  # nor a session as a state
    clock.advance(601)
    with pytest.raises(AuthError):
        codec.open_state(state)
