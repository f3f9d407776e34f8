"""Every URL of the app: a user of each role inside the scope gets it, outside gets nothing.

URLs are discovered from the resolver, so a new page is tested without anyone adding it here.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from associations.middleware import member_may_open
from associations.models import Role
from tests.scoping_registry import UNSCOPED_PREFIXES, URL_KWARGS, URL_ROLES, inside_markers

KWARG = re.compile(r"<(?:\w+:)?(\w+)>")


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, route, ns)
        elif isinstance(entry, URLPattern):
            yield route, (f"{namespace}{entry.name}" if entry.name else None)


def app_urls() -> list[tuple[str, str | None]]:
    return [
        (route, name)
        for route, name in _walk(get_resolver())
        if not any(route.startswith(p) for p in UNSCOPED_PREFIXES)
    ]


URLS = app_urls()


def prepare_world(world) -> None:
    """Made once for the module's shared world (tests/conftest.py): the object behind every URL
    parameter, so no test replays a loan's life or rebuilds the books."""
    for value_of in URL_KWARGS.values():
        value_of(world)


@pytest.fixture(scope="module", autouse=True)
def _each_pdf_rendered_once():
    """Each role's request still renders the document's HTML; the PDF bytes of one HTML text
    are made once (they are the same bytes every time)."""
    from loans import documents

    real, made = documents.to_pdf, {}

    def to_pdf(html: str) -> bytes:
        if html not in made:
            made[html] = real(html)
        return made[html]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(documents, "to_pdf", to_pdf)
        yield


def test_url_discovery_sees_the_app():
    names = {name for _route, name in URLS}
    assert {"home", "associations:area_detail", "associations:association_detail"} <= names


@pytest.mark.parametrize(("route", "name"), URLS, ids=[r for r, _n in URLS])
def test_every_url_is_named_and_its_parameters_are_known(route, name):
    assert name, f"URL {route!r} has no name; name it so it can be scoped and tested"
    unknown = set(KWARG.findall(route)) - set(URL_KWARGS)
    assert not unknown, f"add {sorted(unknown)} to tests/scoping_registry.URL_KWARGS"


def _url(world, route: str, name: str) -> str:
    kwargs = {key: URL_KWARGS[key](world) for key in KWARG.findall(route)}
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize(("route", "name"), URLS, ids=[r for r, _n in URLS])
def test_inside_user_gets_the_page_outside_user_gets_nothing(client, world, route, name, role):
    url = _url(world, route, name)
    allowed = set(URL_ROLES.get(name, set(Role.values)))
    if not member_may_open(name or ""):
        allowed.discard(Role.MEMBER)  # a member login opens its own pages only (issue 12)

    client.force_login(world.inside.users[role])
    inside = client.get(url)
    post_only = inside.status_code == 405
    if role in allowed:
        assert inside.status_code in (200, 405), (
            f"{role} inside scope: {url} -> {inside.status_code}"
        )
    else:
        assert inside.status_code == 404, f"{role} may not open {url}: got {inside.status_code}"

    client.force_login(world.outside.users[role])
    outside = client.post(url) if post_only else client.get(url)
    if KWARG.search(route) or role not in allowed:
        assert outside.status_code == 404, f"{role} outside scope: {url} -> {outside.status_code}"
    else:
        assert outside.status_code == 200
        body = _text_of(outside)
        for marker in inside_markers(world):
            assert marker not in body, f"{url} shows {marker!r} to an outside {role}"


def _text_of(response) -> str:
    """The page's text; for an Excel download, the text of every cell of every sheet."""
    if "spreadsheetml" in response.get("Content-Type", ""):
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return response.content.decode()


@pytest.mark.parametrize(("route", "name"), URLS, ids=[r for r, _n in URLS])
def test_anonymous_is_sent_to_login(client, world, route, name):
    response = client.get(_url(world, route, name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
