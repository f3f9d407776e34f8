"""Production posture (issue 9): the secret key, `check --deploy`, security headers, the admin's
login limit, the login limit behind proxies, and the Chinese error pages with debug off."""

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path, reverse

import mutualaid.urls
from associations.models import Role
from mutualaid.secret_key import secret_key_from_file
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_FOLDERS = [ROOT / "templates", *ROOT.glob("*/templates")]

# What README documents for a deployment behind one TLS-terminating reverse proxy.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "fund.example.cn",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "TRUSTED_PROXY_COUNT": "1",
}


def _manage(tmp_path: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    """manage.py in a fresh process configured only by `env`, as a deployment would be."""
    dropped = (
        "DEBUG",
        "SECRET_KEY",
        "TESTING",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    )  # the last: Playwright's
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    base.pop("DATABASE_URL", None)  # the checks need no database: a throw-away SQLite file
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- secret key ---------------------------------------------------------------------------


def test_secret_key_is_generated_once_private_and_reused(tmp_path):
    path = tmp_path / "var" / "secret_key"
    first = secret_key_from_file(path)
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key_from_file(path) == first
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_a_damaged_key_file_stops_the_start(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("short")
    with pytest.raises(ValueError, match="no usable secret key"):
        secret_key_from_file(path)


# --- check --deploy -----------------------------------------------------------------------


def test_deploy_check_has_no_warnings_with_the_documented_settings(tmp_path):
    result = _manage(tmp_path, PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    # The secret came from the var folder, private to its owner.
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_deploy_check_warns_without_hsts_and_ssl_redirect(tmp_path):
    """The check above is not vacuous: leaving out the two settings brings the warnings back."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if not k.startswith("SECURE_")}
    result = _manage(tmp_path, env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # HSTS
    assert "security.W008" in result.stderr + result.stdout  # SSL redirect


def test_embedded_run_trusts_no_forwarded_headers_and_serves_hashed_static_files(tmp_path):
    script = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
        "s.ALLAUTH_TRUSTED_PROXY_COUNT, s.STORAGES['staticfiles']['BACKEND'])"
    )
    result = _manage(tmp_path, {"DEBUG": "0"}, "shell", "-v", "0", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "['127.0.0.1',",
        "'localhost',",
        "'[::1]']",
        "None",
        "0",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


# --- headers: CSP, Permissions-Policy, no-store --------------------------------------------


def _assert_private_and_policed(response) -> None:
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.fixture
def clerk_client(client, world):
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    return client


def test_a_page_with_personal_data_is_not_stored(clerk_client):
    _assert_private_and_policed(clerk_client.get(reverse("associations:member_list")))


def test_an_export_is_not_stored(clerk_client):
    response = clerk_client.get(reverse("associations:member_export"))
    assert "spreadsheetml" in response["Content-Type"]
    _assert_private_and_policed(response)


def test_a_pdf_is_not_stored(client, world):
    from tests.scoping_registry import URL_KWARGS

    loan = URL_KWARGS["loan_id"](world)  # disbursed and partly repaid
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    response = client.get(reverse("loans:loan_contract", args=[loan]))
    assert response["Content-Type"] == "application/pdf"
    _assert_private_and_policed(response)
    # The browser's PDF viewer is an object of this site: the policy lets it show the file.
    assert "object-src 'self'" in response["Content-Security-Policy"]


def test_static_files_keep_their_cache_lifetime_for_a_logged_in_user(clerk_client):
    response = clerk_client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_no_template_needs_inline_script_or_style():
    """The policy allows no inline script or style: every page's code and styles come from
    static files. PDF templates are rendered by WeasyPrint on the server, not by a browser."""
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>\s*\S|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I
    )
    offenders = [
        f"{page.relative_to(ROOT)}: {match.group(0)!r}"
        for folder in TEMPLATE_FOLDERS
        for page in folder.rglob("*.html")
        if "pdf" not in page.relative_to(folder).parts
        for match in [inline.search(page.read_text())]
        if match
    ]
    assert not offenders, offenders


# --- login limits ---------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    return user


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_admin_login_is_the_site_login(client, superuser):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_25_wrong_admin_passwords_are_refused_by_the_limit(client, superuser):
    # The admin's own form no longer checks passwords: every POST goes to the site's login.
    for attempt in range(25):
        response = client.post("/admin/login/", {"username": "root", "password": f"x{attempt}"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert not _logged_in(client)
    # The same 25 guesses where the admin sends them: the failed-login limit stops them, and
    # afterwards even the right password is refused.
    login = reverse("account_login") + "?next=/admin/"
    refused = 0
    for attempt in range(25):
        response = client.post(login, {"login": "root", "password": f"x{attempt}"})
        refused += response.status_code == 429 or "次数过多" in response.content.decode()
    assert refused >= 20
    client.post(login, {"login": "root", "password": factories.PASSWORD})
    assert not _logged_in(client)
    # The limit is what refused it: without it the same password logs in.
    with override_settings(ACCOUNT_RATE_LIMITS=False):
        client.post(login, {"login": "root", "password": factories.PASSWORD})
    assert _logged_in(client)
    assert client.get("/admin/").status_code == 200


def _fail_logins(client, address: str, count: int) -> None:
    for attempt in range(count):
        # A different name each time: only the per-address limit is reached, not the per-name.
        client.post(
            reverse("account_login"),
            {"login": f"nobody{attempt}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=address,
        )


@pytest.mark.parametrize(("proxies", "neighbour_gets_in"), [(1, True), (0, False)])
def test_login_limit_is_kept_per_client_address_behind_trusted_proxies(
    world, proxies, neighbour_gets_in
):
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=proxies):
        _fail_logins(Client(), "203.0.113.5", 12)
        attacker, neighbour = Client(), Client()
        credentials = {"login": clerk.username, "password": factories.PASSWORD}
        attacker.post(reverse("account_login"), credentials, HTTP_X_FORWARDED_FOR="203.0.113.5")
        neighbour.post(reverse("account_login"), credentials, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert not _logged_in(attacker)
    # Behind a trusted proxy each village office has its own count; with no proxy trusted the
    # forwarded address is ignored and everyone shares the one the server sees.
    assert _logged_in(neighbour) is neighbour_gets_in


# --- error pages with debug off -----------------------------------------------------------


def _boom(request):
    raise RuntimeError("a bug")


def _forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("boom/", _boom),
    path("forbidden/", _forbidden),
    *mutualaid.urls.urlpatterns,
]


@override_settings(DEBUG=False)
def test_missing_page_is_the_chinese_404_not_the_debug_page(client, world):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="zh-hans">' in body and "页面不存在" in body
    assert "URLconf" not in body and "Page not found" not in body


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_forbidden_page_is_chinese_in_the_layout(client, world):
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    response = client.get("/forbidden/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "无权打开" in body
    assert reverse("home") in body  # the layout's menu is there


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_server_error_page_is_chinese_and_needs_no_context(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in body and '<html lang="zh-hans">' in body
    assert "a bug" not in body and "Traceback" not in body


def test_the_error_pages_exist_at_project_level():
    for name in ("403.html", "403_csrf.html", "404.html", "500.html"):
        assert (ROOT / "templates" / name).is_file(), name
    assert settings.TEMPLATES[0]["DIRS"][0] == ROOT / "templates"
