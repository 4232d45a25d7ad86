"""Money: whole Danish kroner. All arithmetic on amounts lives here, never in templates.

Citizens type amounts the Danish way — ``12.500``, ``12500``, ``12.500 kr.`` — and only whole,
positive kroner are accepted: øre (``1.234,50``), negatives, words and absurd sizes are refused
with a reason the UI translates. Totals and the cap are plain integer sums.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: The method's cap per citizen ("op til kr. 50.000,- pr. borger"); courses may set their own.
DEFAULT_CAP = 50_000
#: No single budget line can sensibly exceed this; it keeps typos like 5000000 out.
MAX_LINE_AMOUNT = 1_000_000

_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")  # 12.500 / 1.000.000
_PLAIN = re.compile(r"^\d+$")


class AmountError(ValueError):
    """Why a typed amount was refused; ``code`` is translated by the UI."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_amount(raw: str) -> int:
    """Read a typed amount as whole kroner.

    >>> parse_amount("12.500 kr.")
    12500
    """
    text = (raw or "").strip().lower()
    for suffix in ("kr.", "kr", ",-", "dkk"):
        text = text.removesuffix(suffix).strip()
    text = text.removeprefix("dkk").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        raise AmountError("empty")
    if text.startswith("-"):
        raise AmountError("negative")
    if "," in text:
        whole, _, fraction = text.partition(",")
        if fraction.strip("0-") == "" and (_PLAIN.match(whole) or _GROUPED.match(whole)):
            text = whole  # "12.500,00" and "12.500,-" are whole kroner
        else:
            raise AmountError("ore")
    if _GROUPED.match(text):
        text = text.replace(".", "")
    elif not _PLAIN.match(text):
        raise AmountError("not_a_number")
    if len(text) > 12:
        raise AmountError("too_large")
    amount = int(text)
    if amount <= 0:
        raise AmountError("not_positive")
    if amount > MAX_LINE_AMOUNT:
        raise AmountError("too_large")
    return amount


def format_amount(amount: int) -> str:
    """``41.100 kr.`` — whole kroner with Danish thousands separators."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".") + " kr."


@dataclass(frozen=True)
class Budget:
    """The sums a draft shows: total, the cap, what is left, and by how much it is over."""

    total: int
    cap: int

    @property
    def remaining(self) -> int:
        return max(0, self.cap - self.total)

    @property
    def excess(self) -> int:
        return max(0, self.total - self.cap)

    @property
    def over_cap(self) -> bool:
        return self.total > self.cap


def budget(amounts: Iterable[int | None], cap: int = DEFAULT_CAP) -> Budget:
    """Sum the lines' amounts (lines without an amount count as 0) against ``cap``."""
    return Budget(sum(a for a in amounts if a), cap)
