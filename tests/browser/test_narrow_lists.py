"""The clerk's list pages on a 360 × 740 phone (issue 13, item 8): the menu is one line with a
菜单 toggle, the page never scrolls sideways, and the key columns of every list (name, amount,
status) stand inside the screen: the tables turn into one card per row. Screenshots of every
page are saved as test artefacts (pytest's tmp_path, or ARTEFACTS_DIR when it is set)."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from associations.models import Role
from tests import factories
from tests.scoping_registry import URL_KWARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 360


def _key_columns() -> dict[str, tuple[str, list[str]]]:
    """URL name -> (its URL parameters, the headers of the columns a phone must show)."""
    name, amount, status = pgettext("person", "Name"), gettext("Amount"), gettext("Status")
    return {
        "associations:member_list": ("", [name, status]),
        "loans:loan_list": ("", [gettext("Borrower"), amount, status]),
        "guarantees:group_list": ("", [gettext("Group"), pgettext("group", "Members"), status]),
        "funds:book_list": ("", [gettext("Books"), gettext("Cash"), gettext("Loans out")]),
        "funds:expense_list": ("book", [gettext("Payee"), amount, status]),
        "funds:transfers": ("book", [gettext("Kind"), amount, status]),
        "funds:account_ledger": ("ledger", [gettext("Memo"), gettext("Balance")]),
        "loans:policy_list": ("", [gettext("Set by")]),
        # A loan's schedule and its repayments.
        "loans:loan_detail": (
            "loan",
            [gettext("Due on"), gettext("Unpaid"), status, gettext("Paid on"), amount],
        ),
        "funds:book_detail": ("book", [gettext("Account"), gettext("Balance"), gettext("Memo")]),
        "funds:entry_detail": ("entry", [gettext("Account"), gettext("Debit"), gettext("Credit")]),
        "guarantees:group_detail": ("group", [pgettext("person", "Name"), gettext("Loan status")]),
    }


# Each key cell of each body row, with where it stands on the screen.
KEY_CELLS = """(keys) => {
  const out = [];
  for (const table of document.querySelectorAll('main table')) {
    const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
    for (const row of table.querySelectorAll('tbody tr')) {
      [...row.children].forEach((cell, index) => {
        if (!keys.includes(heads[index]) || cell.hasAttribute('colspan')) return;
        const box = cell.getBoundingClientRect();
        out.push({head: heads[index], text: cell.textContent.trim(),
                  left: box.left, right: box.right, width: box.width});
      });
    }
  }
  return out;
}"""


def _artefacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("ARTEFACTS_DIR", tmp_path)) / "narrow-lists"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或手机号").fill(user.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def _url(world, name: str, params: str) -> str:
    book = URL_KWARGS["book_id"](world)
    if params == "book":
        return reverse(name, args=[book])
    if params == "ledger":
        return reverse(name, args=[book, URL_KWARGS["account_code"](world)])
    if params == "entry":
        return reverse(name, args=[book, URL_KWARGS["entry_id"](world)])
    if params in ("loan", "group"):
        return reverse(name, args=[URL_KWARGS[f"{params}_id"](world)])
    return reverse(name)


def test_clerk_list_pages_show_their_key_columns_at_360_px(page, live_server, world, tmp_path):
    # Every list has rows: a household in a group with a loan paid out and partly repaid, an
    # expense and a transfer in the books (the scoping test's objects).
    for name in ("member_id", "group_id", "loan_id", "expense_id", "transfer_id"):
        URL_KWARGS[name](world)
    folder = _artefacts(tmp_path)
    _log_in(page, live_server, world.inside.users[Role.VILLAGE_CLERK])
    with translation.override("zh-hans"):
        pages = _key_columns()
    problems = []
    for name, (params, keys) in pages.items():
        page.goto(live_server.url + _url(world, name, params))
        shot = folder / f"{name.replace(':', '-')}-360.png"
        page.screenshot(path=str(shot), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            problems.append(f"{name}: the page is {width} px wide")
        cells = page.evaluate(KEY_CELLS, keys)
        if name != "loans:policy_list":  # the test world sets no policy of its own
            found = {cell["head"] for cell in cells}
            assert found == set(keys), f"{name}: key columns {set(keys) - found} have no cell"
        problems += [
            f"{name}: {cell['head']} {cell['text']!r} at {cell['left']:.0f}–{cell['right']:.0f} px"
            for cell in cells
            # An empty cell (no debit on a credit line) has nothing to show and is left out.
            if cell["text"] and (cell["width"] <= 0 or cell["left"] < 0 or cell["right"] > WIDTH)
        ]
    assert not problems, "\n".join(problems)


def test_the_menu_is_one_line_on_a_phone_and_inline_on_a_desk(page, live_server, world):
    _log_in(page, live_server, world.inside.users[Role.VILLAGE_CLERK])
    nav = page.locator("nav.site-nav")
    toggle = nav.locator("summary", has_text="菜单")
    members = nav.get_by_role("link", name="社员", exact=True)

    # 360 px: the brand and the toggle on one line of at least 44 px, the entries hidden.
    assert toggle.is_visible()
    assert not members.is_visible()
    nav_box = nav.bounding_box()
    assert nav_box["height"] < 64, f"the menu takes {nav_box['height']} px"
    assert toggle.bounding_box()["height"] >= 44
    # Opened (no JavaScript involved: a <details>), every entry is a tap target of 44 px.
    toggle.click()
    assert members.is_visible()
    # The menu names the books as their pages do (issue 13: it said 账套, the pages 账簿).
    assert nav.get_by_role("link", name="账簿", exact=True).is_visible()
    for link in nav.locator(".nav-links a, .nav-links button").all():
        box = link.bounding_box()
        assert box["height"] >= 44, f"{link.inner_text()!r} is {box['height']} px high"
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    members.click()
    page.wait_for_url("**/members/")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH

    # Body text is 16 px at every width (STYLE.md: no smaller size for small screens).
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "16px"

    # 1280 px: no toggle, the entries inline on the header's one row.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not toggle.is_visible()
    assert members.is_visible()
    assert nav.bounding_box()["height"] < 80
