"""organization and updateOrganizationSettings: what an organisation's answers and uploads
follow, set by its ADMINs, validated, versioned and audited."""

from pathlib import Path
from typing import Any

from tests.support.graphql import Account, GraphQLClient

ORGANIZATION = "{ organization { name defaultVisibility } }"
SETTINGS = (
    "{ organization { settings { systemPrompt promptVersion answerSources defaultVisibility } } }"
)
UPDATE = """
mutation($input: OrganizationSettingsInput!) { updateOrganizationSettings(input: $input) {
  __typename
  ... on Organization { defaultVisibility
        settings { systemPrompt promptVersion answerSources defaultVisibility } }
  ... on ValidationError { field code message }
} }"""
AUDIT = '{ auditLog(action: "organization.settings_updated") { nodes { details } } }'


async def update(client: GraphQLClient, account: Account, **changes: Any) -> dict[str, Any]:
    body = await client.execute(UPDATE, {"input": changes}, token=account.access_token)
    assert not body.get("errors"), body
    result: dict[str, Any] = body["data"]["updateOrganizationSettings"]
    return result


async def test_members_read_the_default_visibility_and_only_admins_the_settings(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    bob = await client.create_user(admin, "bob@example.com")

    seen = await client.execute(ORGANIZATION, token=bob.access_token)
    assert seen["data"]["organization"] == {"name": "Acme", "defaultVisibility": "ORGANIZATION"}
    refused = await client.execute(SETTINGS, token=bob.access_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    defaults = await client.execute(SETTINGS, token=admin.access_token)
    assert defaults["data"]["organization"]["settings"] == {
        "systemPrompt": None,
        "promptVersion": 0,
        "answerSources": 5,
        "defaultVisibility": "ORGANIZATION",
    }


async def test_an_admin_changes_settings_and_each_prompt_is_a_new_audited_version(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()

    changed = await update(
        client, admin, systemPrompt="  Answer in French.  ", answerSources=3,
        defaultVisibility="PRIVATE",
    )  # fmt: skip
    assert changed["settings"] == {
        "systemPrompt": "Answer in French.",
        "promptVersion": 1,
        "answerSources": 3,
        "defaultVisibility": "PRIVATE",
    }
    only_sources = await update(client, admin, answerSources=4)
    assert only_sources["settings"]["systemPrompt"] == "Answer in French."  # left out: kept
    cleared = await update(client, admin, systemPrompt=None)
    assert (cleared["settings"]["systemPrompt"], cleared["settings"]["promptVersion"]) == (None, 2)

    trail = await client.execute(AUDIT, token=admin.access_token)
    details = [node["details"] for node in trail["data"]["auditLog"]["nodes"]]
    assert details == [
        {"promptVersion": 2},
        {"answerSources": 4},
        {"promptVersion": 1, "answerSources": 3, "defaultVisibility": "PRIVATE"},
    ]  # the prompt's text is not in the trail


async def test_bad_settings_are_validation_errors_and_change_nothing(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    for changes, field in (
        ({"systemPrompt": "x" * 8001}, "systemPrompt"),
        ({"answerSources": 0}, "answerSources"),
        ({"answerSources": 21, "systemPrompt": "Be brief."}, "answerSources"),
    ):
        refused = await update(client, admin, **changes)
        assert (refused["__typename"], refused["field"]) == ("ValidationError", field)
    settings = await client.execute(SETTINGS, token=admin.access_token)
    assert settings["data"]["organization"]["settings"]["promptVersion"] == 0


async def test_users_cannot_change_settings(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    bob = await client.create_user(admin, "bob@example.com")
    body = await client.execute(UPDATE, {"input": {"answerSources": 2}}, token=bob.access_token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_upload_without_a_visibility_follows_the_organisations_default(
    client: GraphQLClient, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    await update(client, admin, defaultVisibility="PRIVATE")
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    first.write_text("# A\n\nAlpha.")
    second.write_text("# B\n\nBeta.")

    defaulted = await client.upload(admin, first, visibility=None)  # type: ignore[arg-type]
    explicit = await client.upload(admin, second, visibility="ORGANIZATION")

    assert defaulted["document"]["visibility"] == "PRIVATE"
    assert explicit["document"]["visibility"] == "ORGANIZATION"
