"""Waiting for a condition that no event of this process announces, with a deadline."""

import asyncio
from collections.abc import Callable


async def eventually(
    condition: Callable[[], bool], what: str, seconds: float = 30, every: float = 0.01
) -> None:
    """Return once `condition()` holds; raise TimeoutError, naming `what`, after `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"{what}: not within {seconds:g} s")
        await asyncio.sleep(every)
