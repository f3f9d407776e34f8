"""The application/loan status machine: one table, one check.

The service that changes a status (later: `loan_transition`) calls `check_transition` and records
who, when, from, to and why. Nothing else decides which moves exist.
"""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from loans.exceptions import LoanRuleError


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
    S.SUBMITTED: frozenset({S.BOARD_REVIEWED, S.REJECTED, S.WITHDRAWN, S.WAITLISTED}),
    S.BOARD_REVIEWED: frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN, S.WAITLISTED}),
    # Leaves the waitlist to the stage it waited at (see WAITLIST_RESUMES_AT).
    S.WAITLISTED: frozenset({S.SUBMITTED, S.APPROVED, S.READY, S.REJECTED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.IN_NOTICE, S.WITHDRAWN}),
    # An objection during the notice sends it back to the committee's inbox.
    S.IN_NOTICE: frozenset({S.READY, S.BOARD_REVIEWED, S.WITHDRAWN}),
    S.READY: frozenset({S.DISBURSED, S.WAITLISTED, S.WITHDRAWN}),
    # A single payment may settle the whole loan; reversing repayments moves back.
    S.DISBURSED: frozenset({S.REPAYING, S.CLOSED, S.WRITTEN_OFF}),
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
