"""The demo world's books: capital for every association, a county pool with an allocation,
contributions of the demo households, and a few expenses including an unreimbursed advance."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from associations.demo import demo_contribution, demo_staff
from associations.models import Area, Association, Member, Role, User
from funds.journal import book_for_association, pool_book_open
from funds.models import CapitalContribution, Expense, Transfer
from funds.services import (
    capital_receive,
    expense_decide,
    expense_record,
    member_contribution_receive,
    transfer_decide,
    transfer_request,
)

D = datetime.date


# Government capital of the demo county's villages, sized to their 30–60 member households so
# that two years of lending use most of it (the waitlist shows the unmet demand); the other
# county's associations keep 500,000 each and no history.
HISTORY_CAPITAL = {
    "620123100201": Decimal("40000"),  # + 100,000 allocated from the county pool
    "620123100202": Decimal("100000"),
    "620123100203": Decimal("150000"),
    "620123102201": Decimal("170000"),  # + 20,000 from a paired-assistance unit
    "620123102202": Decimal("80000"),
    "620123102203": Decimal("130000"),
}


def history_opens() -> datetime.date:
    """The 10th of the month 25 months ago: before the first loans of the two years of
    history, which loans.demo dates back from today."""
    today = timezone.localdate()
    months = today.year * 12 + today.month - 1 - 25
    return D(months // 12, months % 12 + 1, 10)


@transaction.atomic
def load_demo_funds() -> None:
    clerk = User.objects.get(username="clerk_sanjiaocheng")
    admin = User.objects.get(username="admin")  # opening balances, set up by the administrator
    for association in Association.objects.select_related("area"):
        book = book_for_association(association)
        if CapitalContribution.objects.filter(book=book).exists():
            continue
        history = association.area_id in HISTORY_CAPITAL
        opens = history_opens() if history else D(2025, 1, 10)
        capital_receive(
            book=book,
            source="government",
            contributor="县财政局（财政扶贫资金）",
            amount=HISTORY_CAPITAL.get(association.area_id, Decimal("500000")),
            received_on=opens,
            by=admin,
        )
        if association.area_id == "620123102201":
            capital_receive(
                book=book,
                source="paired_unit",
                contributor="兰州市农业农村局（帮扶单位）",
                amount=Decimal("20000"),
                received_on=opens,
                by=admin,
            )
        # Each household's contribution, received by the clerk into cash: the books' figure
        # per household is what the member pages show and what an exit refunds.
        village_clerk = demo_staff(association.area_id, Role.VILLAGE_CLERK) or clerk
        for member in Member.objects.filter(association=association).select_related("association"):
            member_contribution_receive(
                member=member,
                amount=demo_contribution(member),
                on=opens + datetime.timedelta(days=5),
                by=village_clerk,
            )
    _demo_pool()
    _demo_expenses(clerk)


def _demo_pool() -> None:
    county = Area.objects.get(code="620123")
    pool = pool_book_open(area=county)
    if Transfer.objects.filter(pool=pool).exists():
        return
    office = User.objects.get(username="county_yuzhong")
    capital_receive(
        book=pool,
        source="government",
        contributor="省级财政扶贫资金",
        amount=Decimal("600000"),
        received_on=history_opens() - datetime.timedelta(days=9),
        by=office,
    )
    target = book_for_association(Association.objects.get(area_id="620123100201"))
    transfer = transfer_request(
        pool=pool,
        target=target,
        kind="allocate",
        amount=Decimal("100000"),
        on=history_opens() + datetime.timedelta(days=10),
        reason="按户数和待贷需求追加",
        by=office,
    )
    # Four eyes: the city office above the county approves the county office's request.
    transfer_decide(transfer=transfer, by=User.objects.get(username="city_lanzhou"), approve=True)


def _demo_expenses(clerk: User) -> None:
    book = book_for_association(Association.objects.get(area_id="620123100201"))
    if Expense.objects.filter(book=book).exists():
        return
    board = User.objects.get(username="board_sanjiaocheng")
    for category, payee, amount, advanced_by, decide in [
        ("setup", "协会组建：印章、账簿、公示栏", "980", "李明华", True),
        ("travel", "赴县城参加互助资金培训", "120", "", True),
        ("office", "打印公示材料", "86", "", False),
    ]:
        expense = expense_record(
            book=book,
            category=category,
            payee=payee,
            amount=Decimal(amount),
            spent_on=D(2025, 4, 8),
            by=clerk,
            advanced_by=advanced_by,
        )
        if decide:
            expense_decide(expense=expense, by=board, approve=True)
