"""schema.graphql is generated from the code and committed."""

from pathlib import Path

from api.schema import create_schema

ROOT = Path(__file__).resolve().parents[3]


def test_the_committed_schema_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == create_schema().as_str() + "\n", (
        "schema.graphql is stale: run `beacon export-schema` and commit it"
    )


def test_admin_fields_show_the_requires_directive() -> None:
    sdl = create_schema().as_str()
    assert (
        "users(first: Int = null, after: String = null): UserConnection! @requires(role: ADMIN)"
        in sdl
    )
    assert "createUser(input: CreateUserInput!): CreateUserResult! @requires(role: ADMIN)" in sdl
    assert "me: User! @requires(role: USER)" in sdl


def test_the_contracts_identity_names_exist() -> None:
    sdl = create_schema().as_str()
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
