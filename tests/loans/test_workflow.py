"""The status machine refuses every move not in its table."""

import itertools

import pytest

from loans.exceptions import LoanRuleError
from loans.workflow import (
    TRANSITIONS,
    LoanStatus,
    check_transition,
    waitlist_resume_status,
)

S = LoanStatus

# The table, written out again independently of loans/workflow.py.
ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.DRAFT, S.WITHDRAWN),
    (S.SUBMITTED, S.DRAFT),  # the board sends it back to the clerk to correct
    (S.SUBMITTED, S.BOARD_REVIEWED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.SUBMITTED, S.WAITLISTED),
    (S.BOARD_REVIEWED, S.APPROVED),
    (S.BOARD_REVIEWED, S.REJECTED),
    (S.BOARD_REVIEWED, S.WITHDRAWN),
    (S.BOARD_REVIEWED, S.WAITLISTED),
    (S.WAITLISTED, S.SUBMITTED),
    (S.WAITLISTED, S.APPROVED),
    (S.WAITLISTED, S.READY),
    (S.WAITLISTED, S.REJECTED),
    (S.WAITLISTED, S.WITHDRAWN),
    (S.APPROVED, S.IN_NOTICE),
    (S.APPROVED, S.WITHDRAWN),
    (S.IN_NOTICE, S.READY),
    (S.IN_NOTICE, S.BOARD_REVIEWED),
    (S.IN_NOTICE, S.WITHDRAWN),
    (S.READY, S.DISBURSED),
    (S.READY, S.WAITLISTED),
    (S.READY, S.WITHDRAWN),
    (S.DISBURSED, S.REPAYING),
    (S.DISBURSED, S.CLOSED),
    (S.DISBURSED, S.WRITTEN_OFF),
    (S.DISBURSED, S.READY),  # a payout entered by mistake, reversed before any repayment
    (S.REPAYING, S.CLOSED),
    (S.REPAYING, S.WRITTEN_OFF),
    (S.REPAYING, S.DISBURSED),
    (S.CLOSED, S.REPAYING),
    (S.CLOSED, S.DISBURSED),
}


def test_table_covers_every_status():
    assert set(TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(("from_status", "to_status"), sorted(ALLOWED))
def test_allowed_moves_pass(from_status, to_status):
    check_transition(from_status, to_status)


def test_every_other_pair_is_refused():
    refused = 0
    for from_status, to_status in itertools.product(S.values, repeat=2):
        if (from_status, to_status) in ALLOWED:
            continue
        with pytest.raises(LoanRuleError) as error:
            check_transition(from_status, to_status)
        assert error.value.code == "transition"
        refused += 1
    assert refused == 13 * 13 - len(ALLOWED)


def test_message_names_both_statuses_in_chinese():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(LoanRuleError) as error:
        check_transition(S.DRAFT, S.DISBURSED)
    assert "草稿" in str(error.value) and "已放款" in str(error.value)


def test_unknown_status_is_refused():
    with pytest.raises(LoanRuleError) as error:
        check_transition(S.DRAFT, "paid")
    assert error.value.code == "unknown_status"


def test_waitlist_resumes_where_it_waited():
    assert waitlist_resume_status(S.SUBMITTED) == S.SUBMITTED
    assert waitlist_resume_status(S.BOARD_REVIEWED) == S.APPROVED
    assert waitlist_resume_status(S.READY) == S.READY
    with pytest.raises(LoanRuleError):
        waitlist_resume_status(S.DISBURSED)
