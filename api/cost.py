"""Query cost: refuse operations that would return too many objects, before any resolver runs,
and charge what runs to the caller's and the organisation's budgets.

The estimate counts objects, not scalars: every field whose type is an object, interface or
union counts once per parent object; a field taking `first` up to that many (the default page
when left out), a list with a cap of its own (`list_caps`, e.g. `Conversation.messages`) that
cap, and any other list a default page; so the counts multiply along nested lists.
`documents(first: 100) { edges { node { uploadedBy { id } } } }` costs 100 for the edges, 100
for the nodes and 100 for the uploaders. A fragment spread twice in one selection set counts
once: GraphQL merges its fields into one answer. It runs when the operation is about to execute,
after validation, so variables are known.

The budgets are charged only for what runs: a field the caller's role may not run (anything
`@requires` for an anonymous caller, `@requires(role: ADMIN)` for a USER) is refused by its
permission before its resolver, so it and everything below it cost the caller nothing. An
operation refused as a whole (too costly, or over a budget) charges nothing either.

Fragments also make documents expensive to check, whatever they return: `fragment F0 on Query
{ ...F1 ...F1 }`, `fragment F1 on Query { ...F2 ...F2 }` and so on doubles, at every level, the
work of the checks that expand each spread where it is reached (Strawberry's depth and alias
limiters). `limit_fragment_spreads` refuses a document expanding too many spreads before
those checks run.
"""

from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from graphql.language import DocumentNode
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter

from api.errors import CodedError
from api.permissions import Role, required_role
from domain import errors as domain
from domain.identity.principal import Principal
from domain.identity.throttling import CostBudget
from domain.pagination import DEFAULT_PAGE_SIZE

PAGE_ARGUMENT = "first"


class QueryTooCostly(CodedError):
    """The operation would return more objects than one operation may."""

    code = "QUERY_TOO_COSTLY"


class CostBudgetSpent(CodedError):
    """The caller's or organisation's budget for the window is spent."""

    code = domain.CostBudgetExceeded.code


class TooManyFragmentSpreads(CodedError):
    """The operation expands fragment spreads more often than one operation may."""

    code = "TOO_MANY_FRAGMENT_SPREADS"


def count_fragment_spreads(document: DocumentNode, limit: int) -> int:
    """Fragment spreads the document's operations expand, each time one is reached; counting
    stops past `limit`, so the work stays within `limit` expansions of the document."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    # A stack rather than recursion: validation has not run, so nesting is only bounded by the
    # token limit. The names on the path skip cycles, which NoFragmentCycles reports.
    pending: list[tuple[SelectionSetNode, frozenset[str]]] = [
        (definition.selection_set, frozenset())
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    count = 0
    while pending:
        selections, path = pending.pop()
        for selection in selections.selections:
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in path:
                    continue
                count += 1
                if count > limit:
                    return count
                pending.append((fragment.selection_set, path | {name}))
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                pending.append((selection.selection_set, path))
    return count


def limit_fragment_spreads(
    max_spreads: int, guarded: Iterable[type[ASTValidationRule]]
) -> type[ASTValidationRule]:
    """A validation rule refusing a document that expands more than `max_spreads` fragment
    spreads, and running the `guarded` rules on the others only.

    The guarded rules must do their whole check when constructed, as Strawberry's depth and
    alias limiters do: they expand every spread, so a doubling document costs them 2^levels
    walks, while within the limit they expand at most `max_spreads`. graphql-core constructs
    every rule before visiting the document, so another rule could not stop them in time.
    """
    rules = tuple(guarded)

    class FragmentSpreadLimit(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            if count_fragment_spreads(context.document, max_spreads) > max_spreads:
                context.report_error(
                    TooManyFragmentSpreads(
                        f"This query expands fragment spreads more than {max_spreads} times "
                        "(a spread counts wherever it is reached). Spread each fragment "
                        "once per selection, and nest fewer fragments.",
                        maxFragmentSpreads=max_spreads,
                    )
                )
                return
            for rule in rules:
                rule(context)  # reports to the context; nothing left to visit

    return FragmentSpreadLimit


FieldFilter = Callable[[GraphQLField], bool]


def _every_field(field: GraphQLField) -> bool:
    return True


def runs_for(principal: Principal | None) -> FieldFilter:
    """Whether a field's permissions let `principal` (None: anonymous) run it."""

    def runs(field: GraphQLField) -> bool:
        required = required_role(field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF))
        if required is None:
            return True
        if principal is None:
            return False
        return required is Role.USER or principal.is_admin

    return runs


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    list_caps: Mapping[str, int] | None = None,
    runs: FieldFilter = _every_field,
) -> int:
    """Objects the operation may return at most (see the module docstring), counting only the
    fields `runs` lets through (and nothing below the others); `list_caps` maps "Type.field"
    to the most items that list field returns."""
    fragments: dict[str, FragmentDefinitionNode] = {}
    operation: OperationDefinitionNode | None = None
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments[definition.name.value] = definition
        elif isinstance(definition, OperationDefinitionNode) and (
            operation_name is None
            or (definition.name is not None and definition.name.value == operation_name)
        ):
            operation = definition
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    defaults = {
        definition.variable.name.value: int(definition.default_value.value)
        for definition in operation.variable_definitions or ()
        if isinstance(definition.default_value, IntValueNode)
    }
    walk = _Walk(schema, fragments, {**defaults, **(variables or {})}, list_caps or {}, runs)
    return walk.cost(operation.selection_set, root, 1)


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        list_caps: Mapping[str, int],
        runs: FieldFilter,
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._variables = variables
        self._list_caps = list_caps
        self._runs = runs

    def cost(self, selections: SelectionSetNode, parent: Any, multiplier: int) -> int:
        total = 0
        for node, owner in self._fields(selections, parent, set()):
            if node.name.value.startswith("__") or not isinstance(owner, GraphQLObjectType):
                continue  # introspection meta fields; abstract parents are walked via fragments
            field = owner.fields.get(node.name.value)
            if field is None or not self._runs(field):
                continue
            named = get_named_type(field.type)
            if not is_composite_type(named):
                continue
            objects, each = self._count(owner, field, node)
            total += multiplier * objects
            if node.selection_set is not None:
                total += self.cost(node.selection_set, named, multiplier * each)
        return total

    def _fields(
        self, selections: SelectionSetNode, parent: Any, seen: set[str]
    ) -> Iterator[tuple[FieldNode, Any]]:
        """The fields selected on `parent`, fragments flattened, each named fragment once: `seen`
        is shared by the whole selection set, as graphql-core does when it collects fields
        (a copy per branch expanded `{ ...F1 ...F1 }` twice, and so 2^levels times)."""
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                yield from self._fields(
                    selection.selection_set, self._condition(selection, parent), seen
                )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self._fragments.get(name)
                if fragment is not None and name not in seen:
                    seen.add(name)
                    yield from self._fields(
                        fragment.selection_set, self._condition(fragment, parent), seen
                    )

    def _condition(self, fragment: InlineFragmentNode | FragmentDefinitionNode, parent: Any) -> Any:
        if fragment.type_condition is None:
            return parent
        return self._schema.get_type(fragment.type_condition.name.value) or parent

    def _count(self, owner: GraphQLObjectType, field: Any, node: FieldNode) -> tuple[int, int]:
        """Objects the field returns per parent object, and how many times its own selections
        run per parent object.

        A list taking `first` returns that many (as given, literal or variable, else the
        default page); a connection taking `first` is one object whose edges are that page.
        A list on a Relay connection is its page, counted already; any other list (a
        conversation's messages, a message's citations) counts as its cap, else as a default
        page.
        """
        listed = is_list_type(get_nullable_type(field.type))
        if PAGE_ARGUMENT not in field.args:
            size = 1
            if listed and not owner.name.endswith("Connection"):
                cap = self._list_caps.get(f"{owner.name}.{node.name.value}")
                size = DEFAULT_PAGE_SIZE if cap is None else cap
            return size, size
        size = self._first(field.args[PAGE_ARGUMENT].default_value, node)
        return (size, size) if listed else (1, size)

    def _first(self, default: Any, node: FieldNode) -> int:
        value = default
        for given in node.arguments or ():
            if given.name.value != PAGE_ARGUMENT:
                continue
            if isinstance(given.value, IntValueNode):
                value = int(given.value.value)
            elif isinstance(given.value, VariableNode):
                value = self._variables.get(given.value.name.value, value)
        if value is None:
            return DEFAULT_PAGE_SIZE
        # Anything else (a wrong type, a negative number) is the resolver's to refuse.
        return value if isinstance(value, int) and value > 0 else 1


class QueryCost(SchemaExtension):
    """Refuses an operation over `max_cost`, else charges its cost to the budgets.

    Zero SQL and zero LLM calls happen for a refused operation: this runs before execution.
    A throttled operation's error reports its cost and the budget left. Successful responses
    carry nothing extra, so that two answers differ only in their data (a foreign id must
    answer exactly like a missing one).
    """

    def __init__(self, max_cost: int, list_caps: Mapping[str, int] | None = None) -> None:
        self._max_cost = max_cost
        self._list_caps = dict(list_caps or {})

    async def on_execute(self) -> AsyncIterator[None]:
        """Estimate, refuse or charge; then let the operation run."""
        execution = self.execution_context
        document = execution.graphql_document
        if document is not None:
            schema = execution.schema._schema
            cost = estimate_cost(
                schema, document, execution.operation_name, execution.variables, self._list_caps
            )
            if cost > self._max_cost:
                raise QueryTooCostly(
                    f"This query could return {cost} objects; the limit is {self._max_cost}. "
                    "Ask for fewer items (first) or fewer nested lists.",
                    cost=cost,
                    maxCost=self._max_cost,
                )
            principal = getattr(execution.context, "principal", None)
            runs = runs_for(principal)
            charge = estimate_cost(
                schema,
                document,
                execution.operation_name,
                execution.variables,
                self._list_caps,
                runs,
            )
            if charge:
                await self._charge(execution.context, principal, charge)
        yield

    @staticmethod
    async def _charge(context: Any, principal: Principal | None, cost: int) -> None:
        if principal is not None:
            caller, organization = f"user:{principal.user_id}", str(principal.organization_id)
        else:
            caller, organization = f"address:{context.client_address}", None
        budget: CostBudget = context.services.cost_budget
        try:
            await budget.spend(cost, caller, organization)
        except domain.CostBudgetExceeded as error:
            raise CostBudgetSpent(
                error.message,
                cost=error.cost,
                remaining=error.remaining,
                retryAfterSeconds=error.retry_after,
            ) from error
