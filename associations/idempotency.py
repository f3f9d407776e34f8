"""Forms that create something are safe to submit twice (DESIGN §6).

Each such form carries a one-time key (mutualaid.forms.IdempotentForm). The view wraps its one
service call in `idempotent(...)`: the key is claimed for the user by inserting its row in the
same transaction as the service's writes. A second submit with the same key, even at the same
moment from another tab, waits on that row's unique index until the first commits, then finds
the row and is shown what the first created; if the first failed, its claim is rolled back with
it and the key is free again.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from associations.models import IdempotencyKey, User

M = TypeVar("M", bound=models.Model)


@dataclass
class Claim:
    """The outcome of claiming a form's key: either ours to write (`repeated` false; report
    what was created with `created`), or already used (`first` is what that submit created)."""

    repeated: bool
    _row: IdempotencyKey | None = None
    _first: models.Model | None = field(default=None, repr=False)

    @property
    def first(self) -> models.Model | None:
        return self._first

    def first_as(self, model: type[M]) -> M | None:
        """`first`, typed as the model the form creates."""
        return self._first if isinstance(self._first, model) else None

    def created(self, obj: M) -> M:
        """Remember what this submit created, so a repeat is shown it."""
        if self._row is None:
            raise RuntimeError("this key was already used; show `first` instead")
        self._row.content_type = ContentType.objects.get_for_model(obj)
        self._row.object_id = obj.pk
        self._row.save(update_fields=["content_type", "object_id"])
        return obj

    def tell(self, request: HttpRequest, done: str) -> None:
        """The success message, or for a repeat the note that nothing was written twice."""
        if self.repeated:
            messages.info(
                request,
                _("This form was already sent: it is recorded once, as shown here."),
            )
        else:
            messages.success(request, done)


def _earlier(user: User, key: str) -> models.Model | None:
    row = IdempotencyKey.objects.select_related("content_type").get(user=user, key=key)
    if row.content_type is None:
        return None
    model = row.content_type.model_class()
    if model is None:
        return None
    obj = model._default_manager.filter(pk=row.object_id).first()
    if obj is None:  # what it created is gone: nothing sensible to show
        raise Http404
    return obj


@contextmanager
def idempotent(user: User, key: str | None) -> Iterator[Claim]:
    """Claim `key` for `user` inside one transaction with the body (the service call):

        with idempotent(request.user, form.claim_key) as claim:
            member = claim.first or claim.created(member_create(...))
        claim.tell(request, _("Member registered."))

    An error raised in the body rolls the claim back with the service's writes."""
    if not key:
        raise ValueError("an idempotent form always carries its key")
    with transaction.atomic():
        row: IdempotencyKey | None
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(user=user, key=key)
        except IntegrityError:
            row = None
        if row is None:
            yield Claim(repeated=True, _first=_earlier(user, key))
        else:
            yield Claim(repeated=False, _row=row)
