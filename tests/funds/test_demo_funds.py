from decimal import Decimal

import pytest
from django.core.management import call_command

from associations.models import Association
from funds.journal import book_for_association
from funds.models import JournalEntry
from funds.selectors import balances_by_key, ledger_is_consistent, unreimbursed_advances
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = ON_FUNDS_DAY


@pytest.mark.django_db
def test_demo_books_load_twice_and_balance(settings):
    settings.DEMO_HISTORY = False  # the loans history is tested in tests/loans/test_demo_loans.py
    call_command("load_demo")
    entries = JournalEntry.objects.count()
    call_command("load_demo")
    assert JournalEntry.objects.count() == entries
    book = book_for_association(Association.objects.get(area_id="620123100201"))
    assert ledger_is_consistent(book=book)
    balances = balances_by_key(book=book)
    # 40,000 from the county finance bureau + 100,000 allocated from the county pool.
    assert balances["government_capital"] == Decimal("140000.00")
    from associations.models import User

    county = User.objects.get(username="county_yuzhong")
    assert [r["advanced_by"] for r in unreimbursed_advances(user=county)] == ["李明华"]
