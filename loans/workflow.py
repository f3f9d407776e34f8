"""The application/loan status machine: one table, one check.

The service that changes a status (later: `loan_transition`) calls `check_transition` and records
who, when, from, to and why. Nothing else decides which moves exist.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from associations.authority import may_act, require_role
from loans.exceptions import LoanRuleError

if TYPE_CHECKING:
    from associations.scoping import AnyUser
    from loans.models import Loan


class LoanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    BOARD_REVIEWED = "board_reviewed", _("reviewed by the village board")
    APPROVED = "approved", _("approved")
    IN_NOTICE = "in_notice", _("in public notice")
    READY = "ready", _("ready for disbursement")
    DISBURSED = "disbursed", _("disbursed")
    REPAYING = "repaying", _("repaying")
    CLOSED = "closed", _("closed")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")
    WAITLISTED = "waitlisted", _("waiting for funds")
    WRITTEN_OFF = "written_off", _("written off")


S = LoanStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    # No lendable cash at submit, approval or disbursement: the application waits.
    # The board may send an application back to the clerk as a draft to correct (with why).
    S.SUBMITTED: frozenset({S.DRAFT, S.BOARD_REVIEWED, S.REJECTED, S.WITHDRAWN, S.WAITLISTED}),
    S.BOARD_REVIEWED: frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN, S.WAITLISTED}),
    # Leaves the waitlist to the stage it waited at (see WAITLIST_RESUMES_AT).
    S.WAITLISTED: frozenset({S.SUBMITTED, S.APPROVED, S.READY, S.REJECTED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.IN_NOTICE, S.WITHDRAWN}),
    # An objection during the notice sends it back to the committee's inbox.
    S.IN_NOTICE: frozenset({S.READY, S.BOARD_REVIEWED, S.WITHDRAWN}),
    S.READY: frozenset({S.DISBURSED, S.WAITLISTED, S.WITHDRAWN}),
    # A single payment may settle the whole loan; reversing repayments moves back.
    # A payout entered by mistake (no repayment yet) is reversed: ready to pay out again.
    S.DISBURSED: frozenset({S.REPAYING, S.CLOSED, S.WRITTEN_OFF, S.READY}),
    S.REPAYING: frozenset({S.CLOSED, S.WRITTEN_OFF, S.DISBURSED}),
    S.CLOSED: frozenset({S.REPAYING, S.DISBURSED}),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    # Later recoveries are income; the loan stays written off.
    S.WRITTEN_OFF: frozenset(),
}

# Where a waitlisted application goes when cash comes back, by the status it waited at.
# Waiting at the committee's decision means the committee approved subject to cash.
WAITLIST_RESUMES_AT: dict[str, str] = {
    S.SUBMITTED: S.SUBMITTED,
    S.BOARD_REVIEWED: S.APPROVED,
    S.READY: S.READY,
}

# Statuses that hold the household's one active loan (the partial unique index uses these).
ACTIVE_STATUSES: frozenset[str] = frozenset(
    {
        S.SUBMITTED,
        S.BOARD_REVIEWED,
        S.APPROVED,
        S.IN_NOTICE,
        S.READY,
        S.WAITLISTED,
        S.DISBURSED,
        S.REPAYING,
    }
)
# Statuses in which money is out: schedules, fees and repayments apply.
LENT_STATUSES: frozenset[str] = frozenset({S.DISBURSED, S.REPAYING})


def check_transition(from_status: str, to_status: str) -> None:
    """Raise LoanRuleError unless the table has the move from `from_status` to `to_status`."""
    if from_status not in TRANSITIONS or to_status not in TRANSITIONS:
        raise LoanRuleError(
            gettext("Unknown loan status %(status)s.")
            % {"status": to_status if from_status in TRANSITIONS else from_status},
            "unknown_status",
        )
    if to_status not in TRANSITIONS[from_status]:
        raise LoanRuleError(
            gettext("A loan cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(from_status).label, "to": S(to_status).label},
            "transition",
        )


def waitlist_resume_status(waited_at: str) -> str:
    """The status a waitlisted application returns to when lendable cash comes back."""
    try:
        return WAITLIST_RESUMES_AT[waited_at]
    except KeyError:
        raise LoanRuleError(
            gettext("An application cannot wait for funds at “%(status)s”.")
            % {"status": S(waited_at).label if waited_at in S.values else waited_at},
            "waitlist_stage",
        ) from None


# --- who may take which action, and from which status ----------------------------------------
#
# One table of actions. An action that moves the status names its target (`to`); the statuses it
# starts from are read off TRANSITIONS (narrowed by `only_from` where two actions share a target,
# as review and objection both lead back to the committee). Actions that keep the status name the
# statuses they apply to. The services check `may_take`; the loan page offers `actions_for`.

CLERK = "village_clerk"
BOARD = "village_board"
COMMITTEE = "township_committee"
STATION = "township_station"


@dataclass(frozen=True)
class Action:
    roles: frozenset[str]
    label: StrOrPromise
    to: str | None = None
    only_from: frozenset[str] | None = None

    def from_statuses(self) -> frozenset[str]:
        if self.to is None:
            return self.only_from or frozenset()
        sources = frozenset(s for s, targets in TRANSITIONS.items() if self.to in targets)
        return sources & self.only_from if self.only_from is not None else sources


ACTIONS: dict[str, Action] = {
    "apply": Action(frozenset({CLERK}), _("Enter an application")),
    "edit": Action(frozenset({CLERK}), _("Edit the draft"), only_from=frozenset({S.DRAFT})),
    "submit": Action(
        frozenset({CLERK}), _("Submit"), to=S.SUBMITTED, only_from=frozenset({S.DRAFT})
    ),
    "withdraw": Action(frozenset({CLERK}), _("Withdraw"), to=S.WITHDRAWN),
    "review": Action(
        frozenset({BOARD}),
        _("Board review done"),
        to=S.BOARD_REVIEWED,
        only_from=frozenset({S.SUBMITTED}),
    ),
    "send_back": Action(
        frozenset({BOARD}),
        _("Send back to the clerk (give the reason)"),
        to=S.DRAFT,
        only_from=frozenset({S.SUBMITTED}),
    ),
    "approve": Action(
        frozenset({COMMITTEE}),
        _("Approve"),
        to=S.APPROVED,
        only_from=frozenset({S.BOARD_REVIEWED}),
    ),
    "reject": Action(
        frozenset({COMMITTEE, BOARD}),
        _("Reject (give the reason)"),
        to=S.REJECTED,
        only_from=frozenset({S.SUBMITTED, S.BOARD_REVIEWED}),
    ),
    "object": Action(
        frozenset({BOARD, COMMITTEE, CLERK}),
        _("Record an objection"),
        to=S.BOARD_REVIEWED,
        only_from=frozenset({S.IN_NOTICE}),
    ),
    "disburse": Action(
        frozenset({STATION}), _("Disburse"), to=S.DISBURSED, only_from=frozenset({S.READY})
    ),
    "disbursement_reverse": Action(
        frozenset({STATION}),
        _("Reverse the disbursement (give the reason)"),
        to=S.READY,
        only_from=frozenset({S.DISBURSED}),
    ),
    "repay": Action(frozenset({CLERK}), _("Record a repayment"), only_from=LENT_STATUSES),
    "reversal_request": Action(
        frozenset({CLERK}),
        _("Ask the station to reverse a repayment"),
        only_from=LENT_STATUSES | {S.CLOSED},
    ),
    "reverse_repayment": Action(
        frozenset({STATION}), _("Reverse a repayment"), only_from=LENT_STATUSES | {S.CLOSED}
    ),
    "extension_request": Action(
        frozenset({CLERK}), _("Request an extension"), only_from=LENT_STATUSES
    ),
    "extend": Action(
        frozenset({COMMITTEE}), _("Extend to the new maturity"), only_from=LENT_STATUSES
    ),
    "extension_refuse": Action(
        frozenset({COMMITTEE}), _("Refuse the extension"), only_from=LENT_STATUSES
    ),
    "write_off_propose": Action(
        frozenset({BOARD}), _("Propose a write-off"), only_from=LENT_STATUSES
    ),
    "write_off_approve": Action(
        frozenset({COMMITTEE}), _("Approve the write-off"), to=S.WRITTEN_OFF
    ),
    "recovery": Action(
        frozenset({CLERK}), _("Record a recovery"), only_from=frozenset({S.WRITTEN_OFF})
    ),
}


def may_take(user: "AnyUser", action: str, *, status: str, area_code: str) -> bool:
    """The loan is in a status the action starts from, and `user` holds one of its roles at
    the loan's village or above. "apply" has no loan yet: pass status="" for it."""
    spec = ACTIONS[action]
    if status and status not in spec.from_statuses():
        return False
    return may_act(user, spec.roles, area_code)


def authorize(user: "AnyUser", action: str, *, area_code: str) -> None:
    """Raise the loan rule error the pages show unless `user` holds a role for `action` at
    `area_code` (the status is checked by the service itself, with its own message)."""
    require_role(user, ACTIONS[action].roles, area_code, error=LoanRuleError)


def offered_actions(user: "AnyUser", loan: "Loan") -> list[str]:
    """The actions the loan's page offers this user, in table order."""
    code = loan.association.area_id
    return [
        a for a in ACTIONS if a != "apply" and may_take(user, a, status=loan.status, area_code=code)
    ]
