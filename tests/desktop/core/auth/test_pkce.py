from __future__ import annotations

import re

import pytest

from kleio_desktop.core.auth.pkce import (
    PKCEPair,
    code_challenge,
    new_code_verifier,
    new_nonce,
    new_state,
)

UNRESERVED = re.compile(r"^[A-Za-z0-9\-._~]+$")


def test_rfc7636_appendix_b_vector() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_new_verifier_is_43_unreserved_characters_and_fresh() -> None:
    verifiers = {new_code_verifier() for _ in range(50)}

    assert len(verifiers) == 50
    assert all(len(v) == 43 and UNRESERVED.match(v) for v in verifiers)


@pytest.mark.parametrize(("length", "ok"), [(42, False), (43, True), (128, True), (129, False)])
def test_verifier_length_bounds(length: int, ok: bool) -> None:
    verifier = "a" * length
    if ok:
        assert len(code_challenge(verifier)) == 43
    else:
        with pytest.raises(ValueError, match="43 to 128"):
            code_challenge(verifier)


def test_pair_challenges_its_own_verifier_with_s256() -> None:
    pair = PKCEPair()

    assert pair.method == "S256"
    assert pair.challenge == code_challenge(pair.verifier)


def test_state_and_nonce_are_unguessable_and_distinct() -> None:
    values = {new_state() for _ in range(20)} | {new_nonce() for _ in range(20)}

    assert len(values) == 40
    assert all(len(v) >= 43 for v in values)
