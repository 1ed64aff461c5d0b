"""Answer budget reservations on the database under test (PostgreSQL: across connections)."""

import asyncio

from domain.assistant.budget import AnswerBudget
from domain.assistant.generation.base import Meter
from domain.assistant.models import Conversation, Message
from domain.bootstrap import Services
from domain.errors import BudgetExceeded
from domain.identity.models import Organization, Role, User
from domain.identity.principal import Principal


async def member(organization: Organization, email: str) -> Principal:
    user = await User.create(
        organization_id=organization.id, email=email, role=Role.USER, password_hash="-"
    )
    return Principal.of(user)


async def spent(organization: Organization) -> int:
    messages = await Message.filter(organization_id=organization.id)
    return sum(message.prompt_tokens + message.completion_tokens for message in messages)


async def test_twenty_racing_reservations_never_overshoot_the_organisations_budget(
    services: Services,
) -> None:
    organization = await Organization.create(name="Acme")
    people = [await member(organization, f"u{i}@example.com") for i in range(4)]
    conversations = [
        await Conversation.create(organization_id=o.organization_id, user_id=o.user_id, title="q")
        for o in people
    ]
    budget = AnswerBudget(tokens_per_user=1000, tokens_per_organization=55)

    async def reserve(i: int) -> Message | BudgetExceeded:
        try:
            return await budget.reserve(people[i % 4], conversations[i % 4].id, "Refunds?", 10)
        except BudgetExceeded as refused:
            return refused

    outcomes = await asyncio.gather(*(reserve(i) for i in range(20)))

    reserved = [outcome for outcome in outcomes if isinstance(outcome, Message)]
    assert len(reserved) == 5
    assert await spent(organization) == 50
    refusals = {o.message for o in outcomes if isinstance(o, BudgetExceeded)}
    assert refusals == {"Your organisation has used today's answer budget."}


async def test_an_unfinished_answer_keeps_what_it_used_and_frees_the_rest(
    services: Services,
) -> None:
    organization = await Organization.create(name="Acme")
    ada = await member(organization, "ada@example.com")
    conversation = await Conversation.create(
        organization_id=organization.id, user_id=ada.user_id, title="q"
    )
    budget = AnswerBudget(tokens_per_user=100, tokens_per_organization=1000)
    question = await budget.reserve(ada, conversation.id, "Refunds?", 60)

    await budget.charge(question, Meter(prompt_tokens=20, completion_tokens=3))

    assert await spent(organization) == 23
    await budget.reserve(ada, conversation.id, "And shoes?", 77)
    assert await spent(organization) == 100
