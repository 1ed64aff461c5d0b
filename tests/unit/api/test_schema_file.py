"""schema.graphql is generated from the code and committed."""

import re
from pathlib import Path

from api.schema import create_schema

ROOT = Path(__file__).resolve().parents[3]


def test_the_committed_schema_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == create_schema().as_str() + "\n", (
        "schema.graphql is stale: run `beacon export-schema` and commit it"
    )


def compact_sdl() -> str:
    """The SDL without descriptions, on one line, so that signatures can be matched."""
    sdl = re.sub(r'"""[\s\S]*?"""', "", create_schema().as_str())
    sdl = re.sub(r"\s+", " ", sdl)
    return sdl.replace("( ", "(").replace(" )", ")")


def test_admin_fields_show_the_requires_directive() -> None:
    sdl = compact_sdl()
    assert (
        "users(first: Int = null after: String = null): UserConnection! @requires(role: ADMIN)"
        in sdl
    )
    assert "createUser(input: CreateUserInput!): CreateUserResult! @requires(role: ADMIN)" in sdl
    assert "me: User! @requires(role: USER)" in sdl


def test_the_contracts_identity_names_exist() -> None:
    sdl = compact_sdl()
    for name in (
        "enum Role",
        "type Organization",
        "type User",
        "type AuthPayload",
        "interface Error",
        "signUp(input: SignUpInput!): SignUpResult!",
        "login(input: LoginInput!): LoginResult!",
        "refreshToken(input: RefreshTokenInput!): RefreshTokenResult!",
        "logout: LogoutResult!",
    ):
        assert name in sdl, name
