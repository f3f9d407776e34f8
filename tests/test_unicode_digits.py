"""Characters that Python's str.isdigit() calls digits but int() refuses ("¹", "²") in a URL
or a login: a clear page, never a server error (the fuzz test found one on the yearly
statement)."""

import pytest
from django.urls import reverse

from associations.models import Role
from funds.journal import book_for_association

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("odd", ["¹", "²³", "٣"])
def test_odd_digits_in_urls_are_no_server_error(client, world, odd):
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    client.force_login(clerk)
    book = book_for_association(world.inside.association)
    pages = [
        (reverse("loans:loan_new"), {"member": odd}),
        (reverse("associations:member_create"), {"association": odd}),
        (reverse("reports:yearly_statement", args=[book.pk]), {"year": odd}),
    ]
    for url, params in pages:
        response = client.get(url, params)
        assert response.status_code in (200, 302, 404), (url, response.status_code)


def test_an_odd_digit_login_is_refused_with_a_message(client):
    response = client.post(
        reverse("account_login"), {"login": "¹³⁹⁰⁹³¹⁰⁰⁰¹", "password": "whatever-123"}
    )
    assert response.status_code == 200
    assert "用户名" in response.content.decode() or "密码" in response.content.decode()
