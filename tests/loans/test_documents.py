import re
import zlib
from decimal import Decimal

from django.urls import reverse

from associations.models import Role
from loans import documents
from loans.services import money


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams opened, to find the embedded font's name."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, flags=re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)


def test_contract_and_receipt_carry_amounts_in_words(lent, users):
    party = documents.ContractParty(lent.member, lent.member.id_number)
    contract = documents.contract_html(lent, borrower=party, guarantors=[])
    assert "壹万元整" in contract and "借款合同" in contract
    repayment = money.repayment_record(
        loan=lent,
        amount=Decimal("1234.50"),
        paid_on=lent.disbursed_on,
        by=users[Role.VILLAGE_CLERK],
        token="doc",
    )
    receipt = documents.receipt_html(repayment)
    assert "壹仟贰佰叁拾肆元伍角" in receipt and "收据" in receipt
    assert lent.member.id_number not in receipt  # only the contract carries full ID numbers


def test_pdfs_embed_a_chinese_font_and_are_scoped(client, world, lent, users):
    money.repayment_record(
        loan=lent,
        amount=Decimal("100"),
        paid_on=lent.disbursed_on,
        by=users[Role.VILLAGE_CLERK],
        token="doc2",
    )
    client.force_login(users[Role.TOWNSHIP_COMMITTEE])
    contract = client.get(reverse("loans:loan_contract", args=[lent.pk]))
    assert contract["Content-Type"] == "application/pdf"
    assert contract.content.startswith(b"%PDF") and b"NotoSansCJK" in _inflated(contract.content)
    receipt_url = reverse("loans:repayment_receipt", args=[lent.pk, lent.repayments.get().pk])
    assert client.get(receipt_url).content.startswith(b"%PDF")
    client.force_login(world.outside.users[Role.TOWNSHIP_COMMITTEE])
    assert client.get(receipt_url).status_code == 404


def test_no_contract_before_approval(client, world, book, borrower, group, users, purposes):
    from tests.loans.conftest import apply_for

    loan = apply_for(world, borrower, group, users, purposes)
    client.force_login(users[Role.VILLAGE_CLERK])
    assert client.get(reverse("loans:loan_contract", args=[loan.pk])).status_code == 404
    assert loan.fee_rate is None
