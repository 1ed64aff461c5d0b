"""Client secrets and sign-in attempts are sealed under the secret key: unreadable in the
database or the cookie, and opened only by the same key for the same purpose."""

import pytest

from domain.identity.sealing import CLIENT_SECRET, SIGN_IN_STATE, Sealer, Unsealable

KEY = "a-secret-key-of-this-server-" * 2


def test_a_sealed_value_opens_to_itself_and_does_not_show_it() -> None:
    sealer = Sealer(KEY, CLIENT_SECRET)
    sealed = sealer.seal("the client secret")
    assert "client secret" not in sealed
    assert sealer.open(sealed) == "the client secret"


def test_sealing_twice_gives_different_values() -> None:
    sealer = Sealer(KEY, CLIENT_SECRET)
    assert sealer.seal("same") != sealer.seal("same")


def test_another_secret_key_cannot_open_it() -> None:
    sealed = Sealer(KEY, CLIENT_SECRET).seal("the client secret")
    with pytest.raises(Unsealable):
        Sealer("another-secret-key-entirely-" * 2, CLIENT_SECRET).open(sealed)


def test_a_value_sealed_for_one_purpose_does_not_open_for_another() -> None:
    sealed = Sealer(KEY, CLIENT_SECRET).seal("the client secret")
    with pytest.raises(Unsealable):
        Sealer(KEY, SIGN_IN_STATE).open(sealed)


def test_a_tampered_value_does_not_open() -> None:
    sealer = Sealer(KEY, SIGN_IN_STATE)
    sealed = sealer.seal("state")
    flipped = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    for forged in (flipped, "not a sealed value", ""):
        with pytest.raises(Unsealable):
            sealer.open(forged)


def test_a_value_older_than_allowed_does_not_open() -> None:
    sealer = Sealer(KEY, SIGN_IN_STATE)
    sealed = sealer.seal("state")
    assert sealer.open(sealed, max_age_seconds=600) == "state"
    with pytest.raises(Unsealable):
        sealer.open(sealed, max_age_seconds=-1)
