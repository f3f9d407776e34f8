"""The one way the apps above `associations` (guarantees, funds, loans, reports) answer its
questions, so that associations never imports them (DESIGN §3: the arrows point one way).

Each upper app fills these lists in its `AppConfig.ready()`:

- `exit_guards`: "may this household leave?" — each takes the member and returns a refusal
  message in the user's language, or None (guarantees: still in an active group; loans: a loan
  not yet settled);
- `refund_posters`: "post the refund of a leaving household's contribution" — called inside the
  exit's transaction with member, amount (yuan), on and by; at most one is registered (funds);
- `contribution_readers`: "what has this household paid in?" — the books' figure (funds);
- `demo_loaders`: build the app's part of the demo world after the members exist;
- `menu`: entries of the main menu, each with the roles that see it;
- `child_figures`: the supervision figures of an area's children, by child code (reports).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class RefundPoster(Protocol):
    def __call__(self, *, member, amount: Decimal, on: datetime.date, by) -> None: ...


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str
    roles: frozenset[str]  # empty: every logged-in user with any role
    order: int


exit_guards: list[Callable[..., str | None]] = []
refund_posters: list[RefundPoster] = []
contribution_readers: list[Callable[..., Decimal]] = []
demo_loaders: list[Callable[[], None]] = []
menu: list[MenuEntry] = []
child_figures: list[Callable[..., dict]] = []


def register(target: list, item) -> None:
    """Add `item` once (ready() may run more than once in tests)."""
    if item not in target:
        target.append(item)
