"""`beacon eval`'s scratch platform lets its one ADMIN upload a whole dataset."""

from pathlib import Path

from limits import parse

from cli.evaluate import eval_settings

DEV_SET_PASSAGES = 5000


def test_one_admin_may_upload_the_whole_dev_set_in_a_minute(tmp_path: Path) -> None:
    rate = parse(eval_settings(tmp_path / "data").upload_rate_per_user)
    assert rate.amount >= DEV_SET_PASSAGES
    assert rate.get_expiry() <= 60
