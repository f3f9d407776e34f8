"""Pages of the associations app: areas and associations, member households, roster imports,
member access and training."""

from django.http import HttpRequest

from associations.models import User


class AuthedRequest(HttpRequest):
    """The request of a view behind `login_required`: its user is a login, not anonymous."""

    user: User
