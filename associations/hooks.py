"""The one way the apps above `associations` (guarantees, funds, loans, reports) answer its
questions, so that associations never imports them (DESIGN §3: the arrows point one way).

Each upper app fills these lists in its `AppConfig.ready()`:

- `exit_guards`: "may this household leave?" — each takes the member and returns a refusal
  message in the user's language, or None (guarantees: still in an active group; loans: a loan
  not yet settled);
- `refund_posters`: "post the refund of a leaving household's contribution" — called inside the
  exit's transaction with member, amount (yuan), on and by; at most one is registered (funds);
- `contribution_readers`: "what has this household paid in?" — the books' figure (funds);
- `contribution_receivers`: "receive this household's contribution" — posts it in the books
  with member, amount, on and by, and returns the entry; at most one is registered (funds);
- `contribution_totals`: "what do these households hold in the books?" — member id to the
  books' figure, for many households in a few queries (the roster export; funds);
- `contribution_offers`: "may this user receive this household's contribution?" — the same
  roles the receiver checks, asked by the member page (funds);
- `contribution_lines`: "which contributions did this household pay in, as this user sees
  them?" — `ContributionLine`s for the member page, each linking to where it is reversed (funds);
- `demo_loaders`: build the app's part of the demo world after the members exist;
- `menu`: entries of the main menu, each with the roles that see it;
- `child_figures`: the supervision figures of an area's children, by child code (reports);
- `member_home`: the home page of a household's own login (loans: what it owes and when);
- `home_panels`: the staff's work queues on the home page — each takes the request and the
  user's role assignments and returns the `HomePanel`s of the roles it serves.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Model
from django.utils.text import capfirst
from django_stubs_ext import StrOrPromise

if TYPE_CHECKING:
    from associations.models import Member, User


class RefundPoster(Protocol):
    def __call__(
        self, *, member: "Member", amount: Decimal, on: datetime.date, by: "User"
    ) -> None: ...


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: StrOrPromise
    roles: frozenset[str]  # empty: every logged-in user with any role
    order: int


@dataclass(frozen=True)
class HomePanel:
    """One work queue on the home page: its title, the first few rows (text, detail, link),
    how many there are in all and where the whole list is."""

    title: StrOrPromise
    rows: list[tuple[str, str, str]]
    count: int
    link: str = ""
    order: int = 0


@dataclass(frozen=True)
class ContributionLine:
    """One contribution received, on the member page: its day, amount, the page of its entry
    (where it is reversed) and whether it was reversed, and whether this user may reverse it."""

    on: datetime.date
    amount: Decimal
    url: str
    reversed: bool
    may_reverse: bool


exit_guards: list[Callable[..., str | None]] = []
refund_posters: list[RefundPoster] = []
contribution_readers: list[Callable[..., Decimal]] = []
contribution_receivers: list[Callable[..., Model]] = []
contribution_offers: list[Callable[..., bool]] = []
contribution_totals: list[Callable[..., dict[int, Decimal]]] = []
contribution_lines: list[Callable[..., list[ContributionLine]]] = []
demo_loaders: list[Callable[[], None]] = []
menu: list[MenuEntry] = []
child_figures: list[Callable[..., dict]] = []
member_home: list[Callable[..., Any]] = []
home_panels: list[Callable[..., list[HomePanel]]] = []


def model_label(model: type[Model], *, plural: bool = True) -> StrOrPromise:
    """A model's verbose name as a menu label: capitalised, still translated per request."""
    name = model._meta.verbose_name_plural if plural else model._meta.verbose_name
    assert name is not None  # Django fills both in when it creates the model class
    return capfirst(name)


def register(target: list[Any], item: object) -> None:
    """Add `item` once (ready() may run more than once in tests)."""
    if item not in target:
        target.append(item)
