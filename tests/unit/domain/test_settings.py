"""Settings: embedded defaults, strict production, one clear line per mistake."""

import re
import secrets
from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.settings import Settings, SettingsError, load_settings

STRONG = secrets.token_urlsafe(48)
POSTGRES = "postgres://beacon@db:5432/beacon"


def test_the_embedded_default_uses_sqlite_in_the_data_directory(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite://{tmp_path / 'beacon.sqlite3'}"
    assert settings.redis_url is None
    assert settings.graphiql_enabled and settings.introspection_enabled
    assert settings.bcrypt_rounds == 12


def test_the_embedded_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_settings(data_dir=tmp_path).secret
    second = load_settings(data_dir=tmp_path).secret
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="BEACON_SECRET_KEY is required"):
        load_settings(env="production", data_dir=tmp_path, database_url=POSTGRES)


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("short-key", "at least 32 bytes"),
        ("change-me-change-me-change-me-change-me", "placeholder"),
        ("a" * 40, "placeholder"),
    ],
)
def test_production_refuses_weak_secret_keys(tmp_path: Path, key: str, reason: str) -> None:
    with pytest.raises(SettingsError, match=reason) as refused:
        load_settings(env="production", secret_key=key, database_url=POSTGRES)
    assert "\n" not in str(refused.value)


def test_production_refuses_sqlite(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="BEACON_DATABASE_URL must point at PostgreSQL"):
        load_settings(env="production", secret_key=STRONG)


def test_production_refuses_a_bcrypt_cost_below_12() -> None:
    with pytest.raises(SettingsError, match="BEACON_BCRYPT_ROUNDS must be at least 12"):
        load_settings(env="production", secret_key=STRONG, database_url=POSTGRES, bcrypt_rounds=11)
    settings = load_settings(
        env="production", secret_key=STRONG, database_url=POSTGRES, bcrypt_rounds=12
    )
    assert settings.bcrypt_rounds == 12


def test_production_switches_off_graphiql_and_introspection() -> None:
    settings = Settings(env="production", secret_key=STRONG, database_url=POSTGRES)
    assert not settings.graphiql_enabled
    assert not settings.introspection_enabled


def test_an_invalid_variable_is_named_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEACON_ACCESS_TOKEN_TTL_SECONDS", "forever")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert str(refused.value).startswith("BEACON_ACCESS_TOKEN_TTL_SECONDS: ")
    assert "\n" not in str(refused.value)


def test_a_rate_that_is_not_a_rate_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEACON_LOGIN_RATE_PER_ACCOUNT", "lots")
    with pytest.raises(SettingsError, match="BEACON_LOGIN_RATE_PER_ACCOUNT: not a rate"):
        load_settings()


def test_trusted_proxies_are_addresses_or_networks() -> None:
    assert Settings(forwarded_allow_ips=" 10.0.0.0/8, ::1 ").forwarded_allow_ips == "10.0.0.0/8,::1"
    assert Settings(forwarded_allow_ips="").forwarded_allow_ips is None
    with pytest.raises(ValidationError, match=r"not an IP address or network: 'proxy\.local'"):
        Settings(forwarded_allow_ips="10.0.0.1,proxy.local")


def test_the_web_app_is_served_from_the_source_trees_build_unless_told() -> None:
    source_tree = Path(__file__).resolve().parents[3]
    assert Settings().web_dist == source_tree / "web" / "dist"
    assert Settings(web_dist=Path("/srv/web")).web_dist == Path("/srv/web")


def test_ocr_is_auto_unless_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().ocr == "auto"
    monkeypatch.setenv("BEACON_OCR", "off")
    assert Settings().ocr == "off"
    monkeypatch.setenv("BEACON_OCR", "sometimes")
    with pytest.raises(SettingsError, match=r"^BEACON_OCR: "):
        load_settings()


ROOT = Path(__file__).resolve().parents[3]
_EXAMPLE_ENTRY = re.compile(r"^# BEACON_([A-Z0-9_]+)=(.*)$", re.MULTILINE)


def test_the_env_example_lists_every_setting_once_with_its_default() -> None:
    entries = _EXAMPLE_ENTRY.findall((ROOT / ".env.example").read_text())
    names = [name for name, _ in entries]
    assert sorted(names) == sorted(field.upper() for field in Settings.model_fields)
    assert len(names) == len(set(names))
    for name, value in entries:
        default = Settings.model_fields[name.lower()].default
        if name == "WEB_DIST" or default is None:
            expected = ""  # unset, or a path of the source tree the comment describes
        elif isinstance(default, bool):
            expected = str(default).lower()
        else:
            expected = str(default)
        assert value == expected, f"BEACON_{name}"


def test_a_dotenv_file_in_the_working_directory_is_read_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "BEACON_JWT_ISSUER=from-the-file\nBEACON_MAX_PAGES=7\nNOT_BEACON=ignored\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BEACON_ENV_FILE")
    monkeypatch.setenv("BEACON_MAX_PAGES", "9")

    settings = Settings()

    assert settings.jwt_issuer == "from-the-file"
    assert settings.max_pages == 9


def test_beacon_env_file_names_the_file_and_empty_reads_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "beacon.env").write_text("BEACON_JWT_ISSUER=named\n")
    (tmp_path / ".env").write_text("BEACON_JWT_ISSUER=default-file\n")
    monkeypatch.chdir(tmp_path)

    monkeypatch.setenv("BEACON_ENV_FILE", str(tmp_path / "beacon.env"))
    assert Settings().jwt_issuer == "named"
    monkeypatch.setenv("BEACON_ENV_FILE", "")
    assert Settings().jwt_issuer == "beacon"
