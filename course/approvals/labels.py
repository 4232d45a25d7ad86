"""What the UI calls the approval queue's codes (case states, colours, criteria, ratings,
ending reasons, notices) and what its refusals say.

Registered as app-wide Jinja filters (``case.state|case_state_label``) so the queue, the case,
the decision document, the citizen's plan page and the exports name things alike.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from course.approvals.models import CaseState, Colour, Criterion, EndingReason, RatingValue
from course.approvals.services import ApprovalError, Change
from course.approvals.stages import Stage
from course.budgets.labels import category_label, payment_label, strategy_label
from course.i18n import long_date, message
from course.money import format_amount

CASE_STATE_LABELS = {
    CaseState.SUBMITTED: _l("New"),
    CaseState.IN_ASSESSMENT: _l("In assessment"),
    CaseState.YELLOW: _l("Yellow – sparring"),
    CaseState.RED: _l("Red – team decision"),
    CaseState.SENT_BACK: _l("Sent back"),
    CaseState.APPROVED: _l("Approved"),
    CaseState.REJECTED: _l("Ended"),
}
#: Where a citizen is in the process (course list, citizen page, phone), as staff name it.
STAGE_LABELS = {
    Stage.DECIDING: _l("Deciding"),
    Stage.SAID_NO: _l("Said no"),
    Stage.OPTED_OUT: _l("Opted out"),
    Stage.WRITING: _l("Writing the plan"),
    Stage.HANDED_IN: _l("Handed in"),
    Stage.SENT_BACK: _l("Sent back"),
    Stage.APPROVED: _l("Approved"),
    Stage.ENDED: _l("Ended"),
}
COLOUR_LABELS = {Colour.GREEN: _l("Green"), Colour.YELLOW: _l("Yellow"), Colour.RED: _l("Red")}
CRITERION_LABELS = {
    Criterion.SUBSTANTIAL_CHANGE: _l("The plan can bring a substantial change to the citizen's "
                                     "job chances."),
    Criterion.REALISTIC: _l("The citizen's ability to carry out the plan seems realistic (e.g. "
                            "vulnerability, language, ambition, commitment, practical "
                            "coherence)."),
    Criterion.COHERENCE: _l("The plan's means (budget lines) and goals (wished-for changes) "
                            "hang together."),
}
RATING_LABELS = {RatingValue.YES: _l("Yes"), RatingValue.UNCERTAIN: _l("Uncertain"),
                 RatingValue.NO: _l("No")}
ENDING_LABELS = {
    EndingReason.JOB: _l("Ordinary employment"),
    EndingReason.NOT_APPROVABLE: _l("The budget plan cannot be approved"),
    EndingReason.CITIZEN_OPTS_OUT: _l("The citizen wants to end the course"),
    EndingReason.MISTRUST: _l("Serious mistrust in the ability to carry out the plan"),
    EndingReason.AGREEMENTS_BROKEN: _l("Agreements are not kept"),
    EndingReason.NO_CHANGE_6_MONTHS: _l("6 months without a job or a substantial change"),
}
NOTICE_LABELS = {
    "new_submission": _l("A new plan is waiting for your assessment."),
    "sparring_request": _l("A colleague asks you to spar on a case."),
    "colleague_commented": _l("A colleague commented on your case."),
    "team_decision": _l("A case is on the team's list for a decision."),
    "case_assigned": _l("A case has been given to you."),
    "outcome": _l("There is news about your plan."),
    "sent_back": _l("Your job consultant has sent your plan back to you."),
    "approved": _l("Your plan has been approved."),
    "ended": _l("Your course has ended. See the decision."),
    "consultant_commented": _l("Your job consultant has written to you about your plan."),
    "citizen_replied": _l("A citizen has answered in the sparring about their plan."),
    "deadline": _l("The budget deadline is close."),
    "change_proposed": _l("A citizen proposes a change to their approved plan."),
    "change_approved": _l("The change is approved."),
    "change_refused": _l("Your job consultant has answered your proposed change."),
    "plan_changed": _l("A citizen reports that their plan has changed."),
    "meetings_changed": _l("Your meetings with your job consultant have changed."),
    "receipt_due": _l("A receipt for a transfer to the citizen's own account is overdue."),
    "receipt_handed_in": _l("A citizen has handed in a receipt."),
    "receipt_asked_again": _l("A receipt must be handed in again."),
}

#: The codes of :class:`course.approvals.services.ApprovalError`.
ERRORS = {
    "not_complete": _l("The plan is not ready to submit yet: see what is missing in the "
                       "checklist."),
    "already_submitted": _l("Your plan has already been submitted."),
    "not_yours": _l("That is not your plan."),
    "not_in_team": _l("Only the job consultants of the citizen's team can do that."),
    "not_your_case": _l("Only the citizen's own job consultant can do that. Ask them, or "
                        "comment if they asked you to spar."),
    "stale": _l("Someone else acted on this case at the same time. Reload the page to see what "
                "they did."),
    "decided": _l("The case has been decided already."),
    "bad_rating": _l("Choose yes, uncertain or no for the criterion."),
    "too_long": _l("At most %(n)d characters."),
    "bad_colour": _l("Choose green, yellow or red."),
    "team_decides": _l("The case is on the team's list: the team decides."),
    "not_yellow": _l("Colleagues are asked to spar on a yellow case."),
    "bad_colleague": _l("Choose one or more colleagues from the team."),
    "bad_consultant": _l("Choose one of the team's job consultants."),
    "lead_assigns": _l("Only the team lead can give a case to another job consultant. You can "
                       "take over a case that has no job consultant."),
    "no_discussion": _l("Comments are for yellow and red cases."),
    "empty": _l("Write your comment first."),
    "bad_participants": _l("Tick who took part in the team decision: at least two from the "
                           "team."),
    "not_green": _l("Choose green before approving alone."),
    "over_cap": _l("The plan is over the budget cap and cannot be approved."),
    "bad_length": _l("The course length must be 6 to 12 months."),
    "no_follow_up": _l("Write the follow-up plan or give at least one meeting date."),
    "bad_payments": _l("Choose the payment method for every budget line."),
    "no_changes_asked": _l("Write what the citizen should change."),
    "bad_reason": _l("Choose one of the ending reasons."),
    "not_approved": _l("The declaration is signed after the plan is approved."),
    "already_signed": _l("You have already signed the declaration."),
    "bad_date": _l("Write dates as dd-mm-yyyy, one per line."),
    "not_agreed": _l("Tick the box to sign the declaration."),
    "not_lead": _l("Only a team lead can change the municipality's settings."),
    "empty_guidance": _l("Write the complaint guidance, or choose to use the default text."),
    "ended": _l("The course has already ended."),
    "future_date": _l("The date cannot be in the future."),
    "before_hand_in": _l("The course cannot end before the plan was handed in (%(date)s)."),
    "bad_ending_date": _l("Write the date as dd-mm-yyyy."),
    "not_approved_case": _l("A job or a substantial change is recorded once the plan is "
                            "approved."),
    "bad_progress": _l("Choose: the citizen has got a job, or a substantial change."),
    "progress_date": _l("The date must be between the approval (%(date)s) and today."),
}

#: What the job consultant records after approval (``services.PROGRESS_KINDS``).
PROGRESS_LABELS = {
    "job": _l("The citizen has got a job"),
    "substantial_change": _l("A substantial change"),
}

#: The declaration on honour (tro- og loveerklæring), as the citizen signs it and as the decision
#: document prints it (docs/method.md §5, Payout).
DECLARATION = _l("I declare on my honour that I will use the money as agreed with my job "
                 "consultant, that is, in line with my approved budget plan. I know that the "
                 "municipality can claim the money back if it is misused.")

#: The complaint guidance (klagevejledning) a decision that ends a plan carries until the
#: municipality writes its own on the settings page.
DEFAULT_COMPLAINT_GUIDANCE = _l(
    "You can complain about this decision. Send your complaint to the job centre within four "
    "weeks of receiving the decision, in writing or by telling your job consultant. The job "
    "centre looks at the decision again; if it keeps it, your complaint is sent on to the "
    "National Social Appeals Board (Ankestyrelsen). Ask your job consultant if you want help "
    "with your complaint.")
FALLBACK = _l("That is not possible right now.")


def error_message(err: ApprovalError) -> str:
    params = {key: long_date(value) if isinstance(value, date) else value
              for key, value in err.params.items()}
    return message(ERRORS, err.code, FALLBACK, **{"n": 4000, **params})


def progress_label(kind: str) -> str:
    return str(PROGRESS_LABELS.get(kind, kind))


def case_state_label(state: CaseState | str) -> str:
    labels = g.get("teten_case_states")  # the queue asks once per row: translate once
    if labels is None:
        labels = g.teten_case_states = {code: str(label)
                                        for code, label in CASE_STATE_LABELS.items()}
    return labels[CaseState(state)]


def stage_label(stage: Stage | str) -> str:
    return str(STAGE_LABELS[Stage(stage)])


def colour_label(colour: Colour | str | None) -> str:
    return str(COLOUR_LABELS[Colour(colour)]) if colour else ""


QUEUE_SORT_LABELS = {
    "waiting": _l("Longest waiting first"),
    "deadline": _l("Budget deadline, soonest first"),
    "state": _l("State"),
    "name": _l("Citizen's name"),
}


def queue_sort_label(sort: str) -> str:
    return str(QUEUE_SORT_LABELS[sort])


def criterion_label(criterion: Criterion | str) -> str:
    return str(CRITERION_LABELS[Criterion(criterion)])


def rating_label(value: RatingValue | str) -> str:
    return str(RATING_LABELS[RatingValue(value)])


def ending_label(reason: EndingReason | str | None) -> str:
    return str(ENDING_LABELS[EndingReason(reason)]) if reason else ""


def notice_label(kind: str) -> str:
    return str(NOTICE_LABELS.get(kind, _l("There is news.")))


def iso_date(value: str | None) -> date | None:
    """An ISO date string from a frozen version, as a date for ``long_date``."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


#: A budget line's fields as the editor and the case name them.
LINE_FIELD_LABELS = {
    "title": _l("Title"),
    "amount": _l("Price"),
    "category": _l("Category"),
    "need_date": _l("Expected need date"),
    "price_source": _l("Price source"),
    "no_documentation": _l("Why there is no documentation"),
    "payment_method": _l("Proposed payment"),
    "change": _l("What changes"),
    "job_effect": _l("Closer to a job"),
    "assumptions": _l("Assumptions"),
    "private": _l("Private"),
}


def change_label(change: Change) -> str:
    """What a version difference is about, in words."""
    if change.part == "goal":
        return _("Goal")
    if change.part == "motivation":
        return _("Personal motivation")
    if change.part == "line_added":
        return _("New budget line: %(title)s", title=change.title)
    if change.part == "line_removed":
        return _("Budget line removed: %(title)s", title=change.title)
    if change.part == "attachment_added":
        return _("Documentation attached to %(title)s", title=change.title)
    if change.part == "attachment_removed":
        return _("Documentation removed from %(title)s", title=change.title)
    if change.part == "strategy":
        return strategy_label(change.title)
    return _("%(title)s: %(field)s", title=change.title,
             field=str(LINE_FIELD_LABELS.get(change.field or "", change.field)))


def change_values(change: Change) -> tuple[str, str]:
    """A difference's before and after as a person reads them: amounts in kroner, dates in
    words, categories and payment methods by their names, a whole line by title and price."""
    return _shown(change, change.before), _shown(change, change.after)


def _shown(change: Change, value: Any) -> str:
    if value is None or value == "":
        return ""
    if change.part in ("line_added", "line_removed"):
        return f"{value['title']} · {format_amount(value['amount'])}"
    field = change.field
    if field == "amount":
        return format_amount(value)
    if field == "category":
        return category_label(value)
    if field == "payment_method":
        return payment_label(value)
    if field == "need_date":
        return long_date(iso_date(value)) or value
    if field == "private":
        return _("Yes") if value else _("No")
    return str(value)


#: The steps of the audit trail as a citizen reads them in an access request.
TRAIL_STEPS = {
    "submitted": _l("Plan handed in"),
    "rated": _l("Criterion rated"),
    "triaged": _l("Marked green, yellow or red"),
    "assigned": _l("Case given to a job consultant"),
    "colleagues_asked": _l("Colleagues asked to spar"),
    "commented": _l("A colleague commented"),
    "approved": _l("Plan approved"),
    "sent_back": _l("Plan sent back for changes"),
    "rejected": _l("Course ended"),
    "declaration_signed": _l("Declaration on honour signed"),
    "payout_recorded": _l("Payout recorded"),
    "payout_reversed": _l("Payout reversed"),
    "receipt_uploaded": _l("Receipt handed in"),
    "receipt_accepted": _l("Receipt accepted"),
    "receipt_asked_again": _l("Receipt asked for again"),
    "repayment_claimed": _l("Repayment claimed"),
    "progress": _l("Follow-up recorded"),
    "change_proposed": _l("Change proposed"),
    "change_withdrawn": _l("Proposed change taken back"),
    "change_approved": _l("Change approved"),
    "change_refused": _l("Change refused"),
    "meeting_added": _l("Follow-up meeting planned"),
    "meeting_moved": _l("Follow-up meeting moved"),
    "meeting_cancelled": _l("Follow-up meeting cancelled"),
    "meeting_noted": _l("Note after a follow-up meeting"),
    "plan_changed_reported": _l("The citizen reported a change in the plan"),
}


def trail_step(action: str) -> str:
    return str(TRAIL_STEPS.get(action, action))


def _meeting_when(value: str | None) -> str:
    """A meeting's ``2027-01-05 10:30`` (audit details) as ``5. januar 2027 10:30``."""
    day, _sep, at = (value or "").partition(" ")
    return " ".join(filter(None, [long_date(iso_date(day)) or day, at]))


def trail_what(event: Any, *, note: str | None, names: dict[int, str]) -> str:
    """What a step of the audit trail did, in words: the criterion and rating with its note,
    the colour against the one the ratings suggested, the length, who took part or was asked,
    the changes asked for, the ending reason."""
    d, action = event.details or {}, event.action

    def people(ids: Any) -> str:
        return ", ".join(names.get(i, "?") for i in ids or [])

    parts: list[str] = []
    if action == "submitted" and d.get("hash"):
        parts.append(_("Fingerprint (SHA-256) %(hash)s…", hash=d["hash"][:16]))
    elif action == "rated":
        try:
            parts.append(f"{criterion_label(d['criterion'])} {rating_label(d['value'])}.")
        except (KeyError, ValueError):
            pass
        if note:
            parts.append(_("Note: %(note)s", note=note))
    elif action == "triaged":
        if d.get("from_colour"):
            parts.append(_("Changed from %(colour)s.", colour=colour_label(d["from_colour"])))
        if d.get("suggested"):
            parts.append(_("The ratings suggested %(colour)s.",
                           colour=colour_label(d["suggested"])))
        parts += [_("Advice from %(name)s: %(text)s", name=a.get("name", "?"),
                    text=a.get("text", "")) for a in d.get("advice") or []]
    elif action == "assigned":
        parts.append(_("From %(before)s to %(after)s.", before=names.get(d.get("before"), "—"),
                       after=names.get(d.get("after"), "—")))
    elif action == "colleagues_asked":
        parts.append(people(d.get("asked")))
    elif action == "approved" and d.get("length_months"):
        parts.append(_("Course length: %(n)d months.", n=d["length_months"]))
    elif action == "sent_back" and event.reason:
        parts.append(_("Changes asked for: %(note)s", note=event.reason))
    elif action == "rejected":
        try:
            parts.append(ending_label(event.reason) + ".")
        except ValueError:
            parts.append(event.reason)
        if d.get("ended_on"):
            parts.append(_("Ended on %(date)s.", date=long_date(iso_date(d["ended_on"]))))
        if d.get("after_approval"):
            parts.append(_("Ended after the approval."))
        if d.get("note"):
            parts.append(d["note"])
    elif action == "progress":
        parts.append(_("%(what)s on %(date)s.", what=progress_label(event.reason),
                       date=long_date(iso_date(d.get("on")))))
        if d.get("note"):
            parts.append(d["note"])
    elif action in ("meeting_added", "meeting_moved", "meeting_cancelled", "meeting_noted"):
        if d.get("before"):
            parts.append(_("From %(before)s to %(after)s.", before=_meeting_when(d["before"]),
                           after=_meeting_when(d.get("on"))))
        elif d.get("on"):
            parts.append(_meeting_when(d["on"]) + ".")
        if d.get("note"):
            parts.append(d["note"])
    elif action == "plan_changed_reported" and d.get("text"):
        parts.append(d["text"])
    elif action in ("payout_recorded", "payout_reversed", "receipt_uploaded", "receipt_accepted",
                    "receipt_asked_again", "repayment_claimed") and "amount" in d:
        parts.append(" ".join(filter(None, [d.get("title", ""), format_amount(d["amount"])]))
                     + ".")
        if event.reason:
            parts.append(event.reason)
    elif action == "change_proposed":
        parts.append(_("Change %(n)d on version %(version)s, in all %(total)s.",
                       n=d.get("change", 0), version=d.get("on_version", "?"),
                       total=format_amount(d.get("total", 0))))
        if event.reason:
            parts.append(_("Why: %(reason)s", reason=event.reason))
    elif action == "change_approved":
        parts.append(_("Change %(n)d: version %(before)s became version %(after)s.",
                       n=d.get("change", 0), before=d.get("from_version", "?"),
                       after=d.get("to_version", "?")))
    elif action in ("change_refused", "change_withdrawn"):
        parts.append(_("Change %(n)d.", n=d.get("change", 0)))
        if event.reason:
            parts.append(_("Why: %(reason)s", reason=event.reason))
    if d.get("participants"):
        parts.append(_("Decided by the team: %(names)s.", names=people(d["participants"])))
    return " ".join(parts)


FILTERS: dict[str, Any] = {
    "case_state_label": case_state_label,
    "colour_label": colour_label,
    "queue_sort_label": queue_sort_label,
    "stage_label": stage_label,
    "criterion_label": criterion_label,
    "rating_label": rating_label,
    "ending_label": ending_label,
    "progress_label": progress_label,
    "notice_label": notice_label,
    "iso_date": iso_date,
}
def declaration_text() -> str:
    return str(DECLARATION)


GLOBALS: dict[str, Any] = {"change_label": change_label, "change_values": change_values,
                           "declaration_text": declaration_text}
