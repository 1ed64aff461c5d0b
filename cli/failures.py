"""How a `beacon` command stops on a foreseeable condition: one line on stderr, exit 1.

A database, Redis or a store that cannot be reached, a database not yet migrated, a refused
input: each is the operator's to fix, and a traceback would bury the one line that says what.
Anything else is a bug, and keeps its traceback.
"""

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click

log = logging.getLogger("beacon.cli")

# Errors of the clients Beacon talks through, named by module so that a command that never
# loaded a client does not import it to check an error it cannot have raised.
_CLIENT_ERRORS = (
    ("domain.bootstrap", "StartupFailed"),
    ("tortoise.exceptions", "BaseORMException"),
    ("asyncpg.exceptions", "PostgresError"),
    ("redis.exceptions", "RedisError"),
    ("weaviate.exceptions", "WeaviateBaseError"),
)
# Both dialects' words for a table that is not there: the database is behind the code.
_MISSING_TABLE = re.compile(r"no such table|relation \S+ does not exist")


class CommandFailed(Exception):
    """A condition that stops a command; its message is the line the operator reads."""


def fail(message: str) -> NoReturn:
    """Print `beacon: message` on stderr and exit 1."""
    click.echo(f"beacon: {message}", err=True)
    sys.exit(1)


def shown_url(url: str) -> str:
    """`url` without its password, for messages."""
    return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", url)


def foreseeable(error: BaseException) -> str | None:
    """The one line for a foreseeable failure; None for a bug."""
    from domain.errors import BeaconError

    if isinstance(error, CommandFailed):
        return str(error)
    if isinstance(error, BeaconError):
        return error.message
    text = " ".join(str(error).split()) or type(error).__name__
    if _is(error, "domain.bootstrap", "StartupFailed"):
        return f"cannot start: {text}"
    if _MISSING_TABLE.search(text):
        return f"the database is not migrated ({text}): run `beacon migrate`"
    if isinstance(error, OSError) or any(_is(error, *name) for name in _CLIENT_ERRORS):
        return f"{type(error).__name__}: {text}"
    return None


def _is(error: BaseException, module: str, name: str) -> bool:
    loaded: Any = sys.modules.get(module)
    kind = getattr(loaded, name, None)
    return isinstance(kind, type) and isinstance(error, kind)


@contextmanager
def reaching(what: str, url: str) -> Iterator[None]:
    """Name the server in a failure to reach or use it."""
    try:
        yield
    except CommandFailed:
        raise
    except Exception as error:
        line = foreseeable(error)
        if line is None:
            raise
        raise CommandFailed(f"{what} at {shown_url(url)}: {line}") from error


class BeaconGroup(click.Group):
    """The `beacon` group: a foreseeable failure of any command ends in its one line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            line = foreseeable(error)
            if line is None:
                raise
            log.debug("command failed", exc_info=error)
            fail(line)
