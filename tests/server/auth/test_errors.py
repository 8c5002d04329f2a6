"""The RFC 6750 challenge each AuthError renders."""

from __future__ import annotations

import pytest

from kleio_server.auth.errors import (
    AuthError,
    InsufficientScopeError,
    IssuerUnavailable,
    MissingTokenError,
)


def test_invalid_token_challenge() -> None:
    error = AuthError("invalid_token", "token expired")
    assert error.www_authenticate() == (
        'Bearer realm="kleio", error="invalid_token", error_description="token expired"'
    )
    assert error.status_code == 401


def test_missing_token_has_no_error_attribute() -> None:
    assert MissingTokenError().www_authenticate(realm="sync") == 'Bearer realm="sync"'
    assert MissingTokenError().status_code == 401


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (InsufficientScopeError("role required: admin"), 403, "insufficient_scope"),
        (IssuerUnavailable(), 503, "invalid_token"),
    ],
)
def test_status_codes(error: AuthError, status: int, code: str) -> None:
    assert (error.status_code, error.error) == (status, code)
    assert isinstance(error, AuthError)


def test_quotes_backslashes_and_control_characters_cannot_break_the_header() -> None:
    header = AuthError("invalid_request", 'a "quoted"\\ one\r\nX-Evil: 1 é').www_authenticate(
        realm='re"alm'
    )
    assert header == (
        'Bearer realm="re?alm", error="invalid_request", '
        'error_description="a ?quoted?? one??X-Evil: 1 ?"'
    )
