"""The member statement as a document (DESIGN §9, issue 12): what the member's statement page
shows (loans.selectors.member) with each loan's schedule and repayments and the association's
approved yearly allocation, read once for the PDF."""

import datetime
from dataclasses import dataclass, field

from associations.models import Member
from funds.models import SurplusAllocation
from loans.models import Loan, Repayment
from loans.selectors import member as reads


@dataclass
class LoanPart:
    loan: Loan
    cards: list[reads.ScheduleCard]
    repayments: list[Repayment]


@dataclass
class MemberStatementDocument:
    member: Member
    statement: reads.Statement
    loans: list[LoanPart] = field(default_factory=list)
    yearly: tuple[SurplusAllocation, list] | None = None


def member_statement_document(member: Member, *, on: datetime.date) -> MemberStatementDocument:
    statement = reads.member_statement(member, on=on)
    by_loan: dict[int, list[Repayment]] = {}
    for repayment in reads.household_repayments(member).order_by("paid_on", "id"):
        by_loan.setdefault(repayment.loan_id, []).append(repayment)
    return MemberStatementDocument(
        member=member,
        statement=statement,
        loans=[
            LoanPart(loan, reads.schedule_cards(loan, today=on), by_loan.get(loan.pk, []))
            for loan in statement.loans
        ],
        yearly=reads.yearly_statement(member),
    )
