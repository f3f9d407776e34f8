"""Who a history row (django-simple-history) names as the one who made the change.

In a request the history middleware knows the logged-in user. Celery tasks, commands and the
shell have no request: there the service's own `by` is the author. A service decorated with
`@history_by` makes its `by` the author of every historical row written inside it, so a row
written by an import task names the clerk who confirmed the import, not nobody.
"""

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

if TYPE_CHECKING:
    from django.http import HttpRequest

    from associations.models import User

_P = ParamSpec("_P")
_R = TypeVar("_R")
_acting: ContextVar["User | None"] = ContextVar("history_acting_user", default=None)


def history_by(service: Callable[_P, _R]) -> Callable[_P, _R]:
    """Record the service's keyword argument `by` as the author of the history it writes."""

    @functools.wraps(service)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        by = kwargs.get("by")
        token = _acting.set(by if getattr(by, "pk", None) else None)  # type: ignore[arg-type]
        try:
            return service(*args, **kwargs)
        finally:
            _acting.reset(token)

    return wrapper


def history_user(*, instance: Any = None, request: "HttpRequest | None" = None) -> "User | None":
    """`get_user` of every HistoricalRecords: the service's `by`, else the request's user."""
    acting = _acting.get()
    if acting is not None:
        return acting
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None
