"""`beacon eval`'s private platform: settings that let a whole dataset in."""

from pathlib import Path

from limits import parse as parse_rate

from cli.evaluate import eval_settings


def test_the_upload_limit_admits_every_passage_of_a_large_dataset(tmp_path: Path) -> None:
    # Each passage is one upload by the scratch ADMIN: a per-user limit of 120 a minute
    # refused 4,880 of the dev set's 5,000 passages.
    rate = parse_rate(eval_settings(tmp_path).upload_rate_per_user)
    per_minute = rate.amount * 60 / rate.get_expiry()
    assert per_minute >= 100_000
