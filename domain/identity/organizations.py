"""An organisation's settings: how it answers, and where uploads go when nobody says."""

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain.audit import log as audit
from domain.errors import InvalidInput, PermissionDenied
from domain.identity.locks import lock_organization
from domain.identity.models import Organization, OrganizationPrompt
from domain.identity.principal import Principal
from domain.visibility import Visibility

MAX_PROMPT_CHARS = 8000
MIN_SOURCES, MAX_SOURCES = 1, 20


class _Keep:
    """The marker for "leave this setting as it is"."""


KEEP = _Keep()


@dataclass(frozen=True)
class SettingsChange:
    """What an ADMIN changes; `KEEP` leaves a setting alone, a None prompt restores Beacon's."""

    system_prompt: str | _Keep | None = KEEP
    answer_sources: int | _Keep = KEEP
    default_visibility: Visibility | _Keep = KEEP


async def organization_of(actor: Principal) -> Organization:
    """The caller's own organisation (any member may read it; the API hides the settings)."""
    return await Organization.get(id=actor.organization_id)


async def update_settings(actor: Principal, change: SettingsChange) -> Organization:
    """Validate and apply an ADMIN's change; a new prompt becomes the next prompt version."""
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can change the organisation's settings.")
    prompt: str | _Keep | None = change.system_prompt
    if isinstance(prompt, str):
        prompt = prompt.strip() or None  # a blank prompt means "Beacon's own", as null does
        if prompt is not None and len(prompt) > MAX_PROMPT_CHARS:
            raise InvalidInput(
                "systemPrompt", f"Use a system prompt of at most {MAX_PROMPT_CHARS} characters."
            )
    sources = change.answer_sources
    if not isinstance(sources, _Keep) and not MIN_SOURCES <= sources <= MAX_SOURCES:
        raise InvalidInput(
            "answerSources", f"Answers use between {MIN_SOURCES} and {MAX_SOURCES} sources."
        )
    changed: dict[str, object] = {}
    async with in_transaction():
        await lock_organization(actor.organization_id)
        organization = await Organization.get(id=actor.organization_id)
        if not isinstance(prompt, _Keep) and prompt != organization.system_prompt:
            organization.system_prompt = prompt
            organization.prompt_version += 1
            await OrganizationPrompt.create(
                organization_id=organization.id,
                version=organization.prompt_version,
                text=prompt,
                created_by=actor.user_id,
            )
            changed["promptVersion"] = organization.prompt_version
        if not isinstance(sources, _Keep) and sources != organization.answer_sources:
            organization.answer_sources = sources
            changed["answerSources"] = sources
        visibility = change.default_visibility
        if (
            not isinstance(visibility, _Keep)
            and visibility.value != organization.default_visibility
        ):
            organization.default_visibility = visibility.value
            changed["defaultVisibility"] = visibility.value
        await organization.save()
    if changed:
        # The prompt's text is in OrganizationPrompt; the trail names its version.
        await audit.record(
            organization.id,
            audit.ORGANIZATION_SETTINGS_UPDATED,
            actor_id=actor.user_id,
            target_type="organization",
            target_id=organization.id,
            details=changed,
        )
    return organization
