"""Domain operations on budget drafts: the citizen's four-part plan, saved one field at a time.

Autosave writes one field per request. Each field has a version in ``field_versions`` under a
key that names it (``draft:7:goal``, ``line:12:amount``, ``strategy:3:text``). A save names
the version it was based on, and :func:`save_field` bumps the version with an atomic
compare-and-set before it writes: a save based on a stale version of *the same field* is a
:class:`FieldConflict` that carries the text on the server, so the route can show both texts,
while saves of different fields never get in each other's way.

Money rules live in :mod:`course.money`: amounts are whole, positive kroner; an over-cap total
is saved, flagged, and makes :func:`can_submit` false.

Services ``flush()``; the request that called them commits once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from course import money, web
from course.budgets.models import (
    BudgetLine,
    Category,
    Draft,
    FieldVersion,
    PaymentMethod,
    StrategyItem,
    StrategyKind,
)
from course.extensions import db
from course.markdown import MAX_LENGTH as MOTIVATION_MAX
from course.people.models import Citizen
from course.people.services import cpr_shaped, local_today, participation
from course.types import utcnow

#: A change theory's three texts are argued in a few paragraphs, not essays.
THEORY_MAX = 5_000
#: A need date this far ahead lies after the longest course (12 months): a warning.
NEED_DATE_HORIZON_DAYS = 366
#: Dates a need date can sensibly take (a typo like 0024 or 20266 is refused).
FIRST_YEAR, LAST_YEAR = 2000, 2100
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%y")
_KEY = re.compile(r"^(draft|line|strategy):(\d{1,12}):([a-z_]{1,30})$")
# Control characters other than tab and newline (PostgreSQL refuses NUL in text).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# -- errors ------------------------------------------------------------------------------------


class BudgetError(Exception):
    """A refused budget operation; ``code`` names the reason for a translated message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class UnknownField(BudgetError):
    """The key names no field of this draft (malformed, not editable, or someone else's)."""


class FieldInvalid(BudgetError):
    """The typed value breaks a rule (``too_long``, an amount code, ``date``, ``choice``…).

    Nothing was stored; the typed text stays on the citizen's screen.
    """


class FieldConflict(Exception):
    """The field was saved by someone else since the version this save was based on.

    ``theirs`` is the value on the server now and ``version`` its version: saving again with
    that version knowingly replaces it.
    """

    def __init__(self, key: str, theirs: Any, version: int) -> None:
        super().__init__(key)
        self.key = key
        self.theirs = theirs
        self.version = version


# -- the fields a citizen writes -------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """How one field is read: ``text``, ``bool``, ``choice``, ``amount`` or ``date``."""

    kind: str
    max_length: int | None = None
    choices: type[Category] | type[PaymentMethod] | None = None

    @property
    def is_text(self) -> bool:
        return self.kind == "text"


FIELDS: dict[str, dict[str, FieldSpec]] = {
    "draft": {
        "goal": FieldSpec("text", 300),
        "motivation": FieldSpec("text", MOTIVATION_MAX),
        "motivation_shared": FieldSpec("bool"),
    },
    "line": {
        "title": FieldSpec("text", 160),
        "category": FieldSpec("choice", choices=Category),
        "amount": FieldSpec("amount"),
        "need_date": FieldSpec("date"),
        "price_source": FieldSpec("text", 500),
        "no_documentation": FieldSpec("text", 500),
        "payment_method": FieldSpec("choice", choices=PaymentMethod),
        "private": FieldSpec("bool"),
        "change": FieldSpec("text", THEORY_MAX),
        "job_effect": FieldSpec("text", THEORY_MAX),
        "assumptions": FieldSpec("text", THEORY_MAX),
    },
    "strategy": {
        "text": FieldSpec("text", 500),
    },
}


def field_key(target: Draft | BudgetLine | StrategyItem, attr: str) -> str:
    """The version key of one field: ``draft:7:goal``, ``line:12:amount``, ``strategy:3:text``."""
    kind = {Draft: "draft", BudgetLine: "line", StrategyItem: "strategy"}[type(target)]
    return f"{kind}:{target.id}:{attr}"


@dataclass(frozen=True)
class Field:
    """A resolved field: the object that holds it, the attribute, and how it is read."""

    key: str
    target: Draft | BudgetLine | StrategyItem
    attr: str
    spec: FieldSpec

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def value(self) -> Any:
        return getattr(self.target, self.attr)


def resolve_field(draft: Draft, key: str) -> Field:
    """The field ``key`` names, if it belongs to ``draft``; :class:`UnknownField` otherwise.

    Only the attributes in :data:`FIELDS` can be named: ids, owners, positions and totals are
    never written through a field save. A line or strategy item of another draft is unknown.
    """
    match = _KEY.match(key or "")
    if match is None:
        raise UnknownField("malformed")
    kind, raw_id, attr = match.groups()
    spec = FIELDS[kind].get(attr)
    if spec is None:
        raise UnknownField("not_editable")
    target: Draft | BudgetLine | StrategyItem | None
    target_id = web.as_id(raw_id)
    if target_id is None:
        target = None
    elif kind == "draft":
        target = draft if target_id == draft.id else None
    elif kind == "line":
        target = db.session.get(BudgetLine, target_id)
    else:
        target = db.session.get(StrategyItem, target_id)
    if target is None or (kind != "draft" and target.draft_id != draft.id):
        raise UnknownField("not_found")
    return Field(key, target, attr, spec)


def parse_value(spec: FieldSpec, raw: str | None) -> Any:
    """Read what the browser sent for a field of ``spec``; :class:`FieldInvalid` if refused."""
    text = raw if isinstance(raw, str) else ""
    if spec.kind == "bool":
        return text.strip().lower() in ("1", "on", "true", "yes")
    if spec.kind == "text":
        clean = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        if spec.max_length is not None and len(clean) > spec.max_length:
            raise FieldInvalid("too_long", max=spec.max_length)
        return clean
    if spec.kind == "choice":
        assert spec.choices is not None
        try:
            return spec.choices(text.strip())
        except ValueError:
            raise FieldInvalid("choice") from None
    if spec.kind == "amount":
        if not text.strip():
            return None  # clearing the amount is allowed; the checklist asks for one
        try:
            return money.parse_amount(text)
        except money.AmountError as err:
            raise FieldInvalid(err.code) from None
    if spec.kind == "date":
        return parse_need_date(text)
    raise AssertionError(spec.kind)


def parse_need_date(text: str) -> date | None:
    """A need date from a date picker (``2026-11-24``) or typed (``24.11.2026``)."""
    raw = text.strip()
    if not raw:
        return None
    for fmt in DATE_FORMATS:
        try:
            value = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if FIRST_YEAR <= value.year <= LAST_YEAR:
            return value
        break
    raise FieldInvalid("date")


# -- versions ------------------------------------------------------------------------------------


class Versions(dict[str, int]):
    """Field versions by key; a field never saved has version 0."""

    def __missing__(self, key: str) -> int:
        return 0


def draft_keys(draft: Draft) -> list[str]:
    """Every field key of ``draft``: its own fields, each line's and each strategy item's."""
    keys = [field_key(draft, attr) for attr in FIELDS["draft"]]
    for line in draft.lines:
        keys += [field_key(line, attr) for attr in FIELDS["line"]]
    for item in draft.strategy:
        keys += [field_key(item, attr) for attr in FIELDS["strategy"]]
    return keys


def field_versions(draft: Draft) -> Versions:
    """The current version of every field of ``draft`` (what the editor's saves are based on).

    On PostgreSQL the keys go as one array (``key = ANY(%(keys)s)``): a plan of 15 lines has
    about a hundred keys, and an ``IN`` list of a hundred parameters is a statement of 4 kB
    built afresh on every request — too long for psycopg's cache of parsed statements."""
    return _versions(draft_keys(draft))


def line_versions(line: BudgetLine) -> Versions:
    """The current version of each field of one budget line (what an opened line shows):
    neither the draft's other lines nor its strategy are read for it."""
    return _versions([field_key(line, attr) for attr in FIELDS["line"]])


def _versions(keys: list[str]) -> Versions:
    if db.session.get_bind().dialect.name == "postgresql":
        matches = FieldVersion.key == sa.any_(sa.bindparam(
            "keys", keys, type_=sa.ARRAY(FieldVersion.key.type)))
    else:
        matches = FieldVersion.key.in_(keys)
    rows = db.session.execute(sa.select(FieldVersion.key, FieldVersion.version).where(matches))
    return Versions({key: version for key, version in rows})


def current_version(key: str) -> int:
    """The version of one field now (0 if it was never saved)."""
    version = db.session.scalar(sa.select(FieldVersion.version).where(FieldVersion.key == key))
    return version or 0


def _claim_first_version(key: str) -> bool:
    """Insert version 1 for a field never saved; False if someone else got there first."""
    table = FieldVersion.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        statement = insert(table).values(key=key, version=1).on_conflict_do_nothing(
            index_elements=["key"])
        return db.session.execute(statement).rowcount == 1
    try:  # any other database: a savepoint around a plain insert
        with db.session.begin_nested():
            db.session.execute(sa.insert(table).values(key=key, version=1))
        return True
    except sa.exc.IntegrityError:
        return False


def _bump_version(key: str, expected: int) -> bool:
    """Compare-and-set: version := version + 1 where it is still ``expected``."""
    table = FieldVersion.__table__
    result = db.session.execute(
        sa.update(table).where(table.c.key == key, table.c.version == expected)
        .values(version=table.c.version + 1))
    return result.rowcount == 1


# -- saving a field ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    """A stored field: its value, its new version, and what the citizen is warned of (it
    looks like a CPR number; a need date in the past or after the longest course)."""

    key: str
    value: Any
    version: int
    cpr_warning: bool = False
    date_warning: str | None = None  # "need_date_past" or "need_date_late"

    @property
    def warning(self) -> str | None:
        """The one warning to show beside the field, if any."""
        return "cpr" if self.cpr_warning else self.date_warning


def save_field(draft: Draft, key: str, raw: str | None, expected_version: int | None
               ) -> SaveResult:
    """Save one field of ``draft`` if nobody saved it since ``expected_version``.

    Order matters: the value is read and checked first (:class:`FieldInvalid`, nothing
    stored), then the field's version is compare-and-set in the database — ``UPDATE … SET
    version = version + 1 WHERE key = ? AND version = ?``, or an insert of version 1 for a field
    never saved — and only then is the value written, in the same transaction. Two saves of
    the same field based on the same version therefore never both succeed: the loser gets a
    :class:`FieldConflict` with the text now on the server. A stale save of exactly the text
    already stored is no conflict (both writers agree) and returns the current version.

    Text shaped like a CPR number is saved (nothing typed is lost) with ``cpr_warning`` set,
    so the screen can ask the citizen to remove it.
    """
    target = resolve_field(draft, key)
    value = parse_value(target.spec, raw)
    expected = expected_version if expected_version and expected_version > 0 else 0
    claimed = _claim_first_version(key) if expected == 0 else _bump_version(key, expected)
    if not claimed:
        db.session.refresh(target.target)
        theirs = target.value
        version = current_version(key)
        if theirs == value:
            return SaveResult(key, value, version, _looks_like_cpr(target.spec, value),
                              _date_warning(target.spec, value))
        raise FieldConflict(key, theirs, version)
    setattr(target.target, target.attr, value)
    draft.updated_at = utcnow()
    db.session.flush()
    return SaveResult(key, value, expected + 1, _looks_like_cpr(target.spec, value),
                      _date_warning(target.spec, value))


def _looks_like_cpr(spec: FieldSpec, value: Any) -> bool:
    return spec.is_text and cpr_shaped(value)


def _date_warning(spec: FieldSpec, value: Any) -> str | None:
    """A need date is saved whatever it is (the method leaves room), with a warning when it
    lies in the past or after the longest course."""
    if spec.kind != "date" or value is None:
        return None
    today = local_today()
    if value < today:
        return "need_date_past"
    if value > today + timedelta(days=NEED_DATE_HORIZON_DAYS):
        return "need_date_late"
    return None


# -- the draft and its lines and strategy --------------------------------------------------------


def draft_of(citizen: Citizen) -> Draft | None:
    """The citizen's draft, if they have opened the budget tool."""
    return db.session.scalar(sa.select(Draft).where(Draft.citizen_id == citizen.id).options(
        joinedload(Draft.course),  # the budget cap of the totals: in the same statement
        selectinload(Draft.lines).selectinload(BudgetLine.attachments),
        selectinload(Draft.strategy)))


def draft_for(citizen: Citizen) -> tuple[Draft, bool]:
    """The citizen's draft, created on first use; returns ``(draft, created)``.

    One draft per citizen (a unique key): two first visits at once end with the same draft.
    """
    draft = draft_of(citizen)
    if draft is not None:
        return draft, False
    try:
        with db.session.begin_nested():
            draft = Draft(citizen_id=citizen.id, course_id=citizen.course_id)
            db.session.add(draft)
    except sa.exc.IntegrityError:
        draft = draft_of(citizen)
        assert draft is not None
        return draft, False
    db.session.flush()
    return draft, True


def line_of(draft: Draft, line_id: int) -> BudgetLine:
    """A line of ``draft``; :class:`UnknownField` for a line of another draft or none."""
    line = db.session.get(BudgetLine, line_id)
    if line is None or line.draft_id != draft.id:
        raise UnknownField("not_found")
    return line


def strategy_item_of(draft: Draft, item_id: int) -> StrategyItem:
    """A strategy item of ``draft``; :class:`UnknownField` otherwise."""
    item = db.session.get(StrategyItem, item_id)
    if item is None or item.draft_id != draft.id:
        raise UnknownField("not_found")
    return item


def add_line(draft: Draft) -> BudgetLine:
    """Add an empty budget line at the end (the citizen fills it in field by field)."""
    last = max((line.position for line in draft.lines), default=-1)
    line = BudgetLine(position=last + 1)
    draft.lines.append(line)
    draft.updated_at = utcnow()
    db.session.flush()
    return line


def delete_line(draft: Draft, line: BudgetLine) -> None:
    """Remove a line with its change theory, attachments and field versions."""
    draft.lines.remove(line)
    db.session.execute(sa.delete(FieldVersion).where(FieldVersion.key.like(f"line:{line.id}:%")))
    _renumber(draft.lines)
    draft.updated_at = utcnow()
    db.session.flush()


def move_line(draft: Draft, line: BudgetLine, direction: str) -> bool:
    """Swap a line with its neighbour ``up`` or ``down``; False when it is at the end already."""
    lines = sorted(draft.lines, key=lambda x: (x.position, x.id))
    index = lines.index(line)
    other = index - 1 if direction == "up" else index + 1 if direction == "down" else -1
    if not 0 <= other < len(lines):
        return False
    lines[index], lines[other] = lines[other], lines[index]
    _renumber(lines)
    db.session.flush()
    return True


def _renumber(rows: list[BudgetLine] | list[StrategyItem]) -> None:
    for position, row in enumerate(rows):
        row.position = position


def add_strategy_item(draft: Draft, kind: StrategyKind, raw: str) -> SaveResult:
    """Add an item to one of the three strategy lists (continue / stop / start doing).

    Refused (:class:`FieldInvalid`) when empty (``empty``) or too long (``too_long``); saved
    with ``cpr_warning`` when it holds something shaped like a CPR number.
    """
    text = parse_value(FIELDS["strategy"]["text"], raw)
    if not text.strip():
        raise FieldInvalid("empty")
    last = max((i.position for i in draft.strategy if i.kind == kind), default=-1)
    item = StrategyItem(kind=kind, position=last + 1, text=text)
    draft.strategy.append(item)
    draft.updated_at = utcnow()
    db.session.flush()
    return SaveResult(field_key(item, "text"), text, 0, cpr_shaped(text))


def delete_strategy_item(draft: Draft, item: StrategyItem) -> None:
    """Remove one strategy item and its field version."""
    draft.strategy.remove(item)
    db.session.execute(
        sa.delete(FieldVersion).where(FieldVersion.key == field_key(item, "text")))
    draft.updated_at = utcnow()
    db.session.flush()


def strategy_lists(draft: Draft) -> dict[StrategyKind, list[StrategyItem]]:
    """The three lists in the method's order: continue, stop, start doing."""
    lists: dict[StrategyKind, list[StrategyItem]] = {kind: [] for kind in StrategyKind}
    for item in sorted(draft.strategy, key=lambda i: (i.position, i.id)):
        lists[item.kind].append(item)
    return lists


# -- money and completeness ----------------------------------------------------------------------


def totals(draft: Draft) -> money.Budget:
    """The draft's total against its course's cap (over-cap drafts are saved, and flagged)."""
    return money.budget((line.amount for line in draft.lines), draft.course.budget_cap)


@dataclass(frozen=True)
class Check:
    """One item of the completeness checklist; ``lines`` names the lines it is missing on."""

    code: str
    done: bool
    lines: tuple[BudgetLine, ...] = ()


@dataclass(frozen=True)
class Completeness:
    """What a draft still lacks before it can be submitted, and where it stands in time;
    ``warnings`` are checks that do not block (a need date in the past, or after the longest
    course)."""

    checks: list[Check]
    budget: money.Budget
    deadline: date | None
    days_left: int | None
    late: bool
    missing: list[str] = field(default_factory=list)
    warnings: list[Check] = field(default_factory=list)
    #: The citizen is still deciding (the four weeks, and so ``deadline``, start with the
    #: yes), and the last day to say yes where the information meeting is recorded.
    deciding: bool = False
    decide_by: date | None = None

    @property
    def complete(self) -> bool:
        return not self.missing


def completeness(draft: Draft, today: date | None = None) -> Completeness:
    """The checklist before submitting (issue 4, point 5).

    Checked, in the order the plan is written: a goal; a personal motivation; at least one
    budget line; a title and an amount on every line; where each price comes from, and its
    documentation (an attachment) or why there is none — the method has citizens research
    their prices themselves and document them; a change theory (the change and how it helps
    towards a job) on every line; at least one item in each strategy list; and a total within
    the course's cap. The budget deadline (four weeks after the citizen's yes) comes from
    :func:`course.people.services.participation`; past it, the plan is ``late``.

    A need date in the past, or after the longest course (12 months from today), is a
    warning, not a refusal: the method leaves room (a course already paid, a later start).
    """
    today = today or local_today()
    lines = sorted(draft.lines, key=lambda x: (x.position, x.id))
    lists = strategy_lists(draft)
    budget = totals(draft)
    checks = [
        Check("goal", bool(draft.goal.strip())),
        Check("motivation", bool(draft.motivation.strip())),
        Check("lines", bool(lines)),
    ]
    unpriced = tuple(x for x in lines if not x.title.strip() or not x.amount)
    checks.append(Check("line_details", bool(lines) and not unpriced, unpriced))
    unsourced = tuple(x for x in lines if not x.price_source.strip())
    checks.append(Check("price_sources", bool(lines) and not unsourced, unsourced))
    undocumented = tuple(x for x in lines
                         if not x.attachments and not x.no_documentation.strip())
    checks.append(Check("documentation", bool(lines) and not undocumented, undocumented))
    untheorised = tuple(x for x in lines if not x.has_change_theory)
    checks.append(Check("change_theories", bool(lines) and not untheorised, untheorised))
    for kind in StrategyKind:
        checks.append(Check(f"strategy_{kind.value}",
                            any(item.text.strip() for item in lists[kind])))
    checks.append(Check("within_cap", not budget.over_cap))
    latest = today + timedelta(days=NEED_DATE_HORIZON_DAYS)
    warnings = [Check(code, not found, found) for code, found in (
        ("need_date_past", tuple(x for x in lines if x.need_date and x.need_date < today)),
        ("need_date_late", tuple(x for x in lines if x.need_date and x.need_date > latest)),
    ) if found]
    p = participation(draft.citizen, today)
    deadline = p.budget_deadline
    return Completeness(
        checks=checks, budget=budget, deadline=deadline,
        days_left=(deadline - today).days if deadline else None,
        late=deadline is not None and today > deadline,
        missing=[c.code for c in checks if not c.done], warnings=warnings,
        deciding=p.can_decide, decide_by=p.decision_deadline if p.can_decide else None,
    )


def can_submit(draft: Draft) -> bool:
    """A draft can be submitted (and so approved) only when complete and within the cap."""
    return completeness(draft).complete
