"""Password policy and bcrypt hashing."""

import asyncio

import bcrypt
import pytest

from domain.errors import WeakPassword
from domain.identity.passwords import PasswordHasher, check_password_policy


@pytest.mark.parametrize("password", ["short", "x" * 11, "x" * 73, "€" * 25])
def test_passwords_outside_the_policy_are_weak(password: str) -> None:
    with pytest.raises(WeakPassword):
        check_password_policy(password)


def test_a_72_byte_password_is_within_the_policy() -> None:
    check_password_policy("€" * 24)  # 72 bytes


async def test_the_default_cost_is_12_and_verification_round_trips() -> None:
    hasher = PasswordHasher()
    hashed = await hasher.hash("correct horse battery")
    assert hashed.startswith("$2b$12$")
    assert await hasher.verify("correct horse battery", hashed)
    assert not await hasher.verify("wrong horse battery", hashed)


async def test_hashing_runs_off_the_event_loop() -> None:
    hasher = PasswordHasher(rounds=12)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.create_task(ticker())
    await hasher.hash("correct horse battery")
    task.cancel()
    # bcrypt at cost 12 takes ~200 ms; a blocked loop would not tick at all meanwhile.
    assert ticks >= 5


async def test_an_unknown_account_still_pays_for_one_bcrypt_check() -> None:
    hasher = PasswordHasher(rounds=4)
    assert not await hasher.verify("anything at all", None)


@pytest.mark.parametrize(
    "stored", ["p" * 72, "é" * 36, "€" * 24], ids=["ascii", "two-byte", "three-byte"]
)
async def test_a_72_byte_password_with_anything_appended_does_not_verify(stored: str) -> None:
    hasher = PasswordHasher(rounds=4)
    hashed = await hasher.hash(stored)
    assert await hasher.verify(stored, hashed)
    for suffix in ("x", "é", "€" * 100):
        assert not await hasher.verify(stored + suffix, hashed)


async def test_a_too_long_password_still_pays_for_one_bcrypt_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hasher = PasswordHasher(rounds=4)
    hashed = await hasher.hash("correct horse battery")
    checked: list[tuple[bytes, bytes]] = []
    real_checkpw = bcrypt.checkpw

    def counting_checkpw(password: bytes, hashed_password: bytes) -> bool:
        checked.append((password, hashed_password))
        return real_checkpw(password, hashed_password)

    monkeypatch.setattr(bcrypt, "checkpw", counting_checkpw)
    assert not await hasher.verify("x" * 500, hashed)
    assert not await hasher.verify("x" * 500, None)
    # Against the account's own hash, like a wrong password, so timing tells nothing apart.
    assert [len(password) for password, _ in checked] == [72, 72]
    assert checked[0][1] == hashed.encode()
