"""Fixtures the engine's tests share."""
from __future__ import annotations

import pytest

from matching.knowledge.loader import load_knowledge


@pytest.fixture(scope="session")
def kb():
    """The shipped knowledge base (loaded once; it is immutable)."""
    return load_knowledge()
