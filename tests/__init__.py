"""Beacon's test suite.

Tests configure Beacon explicitly and find servers through `BEACON_TEST_*` variables alone.
A person's `eval "$(./scripts/services start)"` exports `BEACON_VECTOR_STORE` and friends, and
one stray export would otherwise switch every test's store, and every `beacon` process the
tests start. This package is imported before any conftest or test module, so the rest of the
suite never sees them.
"""

import os

for _name in [name for name in os.environ if name.startswith("BEACON_")]:
    if not _name.startswith("BEACON_TEST_"):
        del os.environ[_name]
# Nor does a developer's `.env` (domain/settings.py): an empty BEACON_ENV_FILE reads no file, in
# this process and in every `beacon` process the tests start.
os.environ["BEACON_ENV_FILE"] = ""
