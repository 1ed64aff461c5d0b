"""Administration mutations; expected failures come back as union members."""

from typing import Annotated

import strawberry

from api.administration.types import OrganizationSettingsInput, UpdateOrganizationSettingsResult
from api.context import Info
from api.errors import error_member
from api.identity.types import Organization
from api.permissions import admin_only
from domain import errors
from domain.identity import organizations
from domain.identity.organizations import KEEP, SettingsChange


@strawberry.type
class AdministrationMutation:
    """What ADMINs change about their organisation."""

    @strawberry.mutation(
        description="Change how the organisation answers and where uploads go by default; "
        "fields left out stay as they are, a null systemPrompt restores Beacon's own.",
        extensions=admin_only(),
    )
    async def update_organization_settings(
        self,
        info: Info,
        input: Annotated[
            OrganizationSettingsInput, strawberry.argument(description="The changes.")
        ],
    ) -> UpdateOrganizationSettingsResult:
        """ADMIN only; a new prompt becomes the next prompt version."""
        change = SettingsChange(
            system_prompt=KEEP if input.system_prompt is strawberry.UNSET else input.system_prompt,
            answer_sources=KEEP if input.answer_sources is None else input.answer_sources,
            default_visibility=(
                KEEP if input.default_visibility is None else input.default_visibility
            ),
        )
        try:
            organization = await organizations.update_settings(
                info.context.require_principal(), change
            )
        except errors.InvalidInput as error:
            return error_member(error)
        return Organization.from_model(organization)
