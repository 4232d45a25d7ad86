"""Prompt sets: the criteria a reviewer comments on and the sentence stems they start from.

A prompt set is plain JSON so it can be stored on the round and edited by facilitators::

    {"criteria": [
        {"key": "effect", "label": "Planen kan ændre jobchancerne",
         "stems": [{"key": "like", "label": "Jeg kan lide…"}, …]},
        …
    ]}

Lists (not objects) keep the order the facilitator chose on every database, JSONB included. The
default set is the job consultants' three approval criteria, so the feedback a citizen receives in
the course prepares exactly the questions the approval will ask.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from .errors import InvalidInput

DEFAULT_STEMS: list[dict[str, str]] = [
    {"key": "like", "label": "Jeg kan lide…"},
    {"key": "wish", "label": "Jeg ønsker…"},
    {"key": "whatif", "label": "Hvad nu hvis…"},
]

DEFAULT_PROMPT_SET: dict[str, Any] = {
    "criteria": [
        {"key": "effect", "label": "Planen kan ændre jobchancerne", "stems": DEFAULT_STEMS},
        {"key": "realistic", "label": "Planen er realistisk at gennemføre", "stems": DEFAULT_STEMS},
        {"key": "coherence", "label": "Posterne og målet hænger sammen", "stems": DEFAULT_STEMS},
    ]
}

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_LABEL = 200


def default_prompt_set() -> dict[str, Any]:
    """Return a fresh deep copy of :data:`DEFAULT_PROMPT_SET` (safe to store and to mutate)."""
    return copy.deepcopy(DEFAULT_PROMPT_SET)


def _entries(raw: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("invalid_prompt_set", f"{what} must be a non-empty list")
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            raise InvalidInput("invalid_prompt_set", f"each {what} entry must be an object")
        key, label = entry.get("key"), entry.get("label")
        if not isinstance(key, str) or not _KEY.match(key) or key in seen:
            raise InvalidInput("invalid_prompt_set", f"bad or repeated {what} key {key!r}")
        if not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL:
            raise InvalidInput("invalid_prompt_set", f"bad {what} label for {key!r}")
        seen.add(key)
        out.append({"key": key, "label": label.strip()})
    return out


def validate_prompt_set(raw: Any) -> dict[str, Any]:
    """Check a prompt set and return a normalised copy containing only known fields.

    :raises InvalidInput: code ``invalid_prompt_set`` when the structure, a key (lower-case
        identifier, unique) or a label (1–200 characters) is wrong.
    """
    if not isinstance(raw, Mapping):
        raise InvalidInput("invalid_prompt_set", "a prompt set must be an object")
    criteria = _entries(raw.get("criteria"), "criterion")
    for criterion, source in zip(criteria, raw["criteria"], strict=True):
        criterion["stems"] = _entries(source.get("stems"), "stem")
    return {"criteria": criteria}


def find_criterion(prompt_set: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    """The criterion entry with ``key``, or ``None``."""
    return next((c for c in prompt_set["criteria"] if c["key"] == key), None)


def has_stem(criterion: Mapping[str, Any], stem: str) -> bool:
    """Whether ``stem`` is one of the criterion's stems."""
    return any(s["key"] == stem for s in criterion["stems"])
