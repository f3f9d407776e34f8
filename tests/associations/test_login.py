import pytest
from django.urls import reverse

from associations.models import Role
from tests import factories


@pytest.fixture
def clerk(world):
    user = world.inside.users[Role.VILLAGE_CLERK]
    user.mobile = "13909310001"
    user.save()
    return user


def test_login_page_is_chinese_even_for_an_english_browser(client, db):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert "登录" in body and "用户名或手机号" in body


def test_language_switch_names_each_language_in_itself(client, db):
    body = client.get(reverse("account_login")).content.decode()
    assert ">English</button>" in body and "英语" not in body
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert ">简体中文</button>" in client.get(reverse("account_login")).content.decode()


def test_project_words_win_over_contrib_translations(client, world):
    client.force_login(world.inside.users["county_office"])
    body = client.get(reverse("associations:association_list")).content.decode()
    assert ">正常</td>" in body  # our "active", not django.contrib.auth's "有效"


def test_english_is_chosen_with_the_language_switch(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get(reverse("account_login")).content.decode()
    assert "Username or mobile number" in body and "用户名或手机号" not in body


@pytest.mark.parametrize("login", ["clerk", "mobile"])
def test_login_with_username_or_mobile_number(client, clerk, login):
    value = clerk.username if login == "clerk" else clerk.mobile
    response = client.post(
        reverse("account_login"), {"login": value, "password": factories.PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home")).content.decode()
    assert "三角城村" in home and "大城村" not in home


def test_wrong_password_is_refused_in_chinese(client, clerk):
    response = client.post(reverse("account_login"), {"login": clerk.mobile, "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "不正确" in response.content.decode()


def test_failed_logins_are_rate_limited(client, clerk):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": clerk.username, "password": "wrong"})
    response = client.post(
        reverse("account_login"), {"login": clerk.username, "password": factories.PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_nobody_can_sign_up(client, db):
    response = client.get(reverse("account_signup"))
    assert "注册关闭" in response.content.decode()  # allauth's "Sign Up Closed" page
    client.post(
        reverse("account_signup"),
        {"username": "x", "password1": "Abc12345!x", "password2": "Abc12345!x"},
    )
    from associations.models import User

    assert not User.objects.filter(username="x").exists()


def test_logout_and_password_change(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("account_change_password")).status_code == 200
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": factories.PASSWORD,
            "password1": "Xin-Mima-2026",
            "password2": "Xin-Mima-2026",
        },
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("Xin-Mima-2026")
    client.post(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 302
