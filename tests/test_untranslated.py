"""Every page of the app, rendered in Chinese for each role, shows no English word of the domain
(issue 13: "paid", "upcoming", "overdue (182)" on loan pages, a "Token" label, Excel sheets named
"Tablib Dataset").

The words are a list of the domain's plus every choice of the app's models (value and English
label). The pages are found as the scoping test finds them (tests/test_scoping.py), so a new page is
checked without anyone adding it here. The text checked is what a person sees: tags, attributes,
scripts and styles are stripped (class names and URLs say "paid" harmlessly), the labels a person
reads in attributes (placeholder, title, alt, an input button's value) are kept. Excel
downloads are checked by their sheet titles and cells; PDF documents by the HTML they print.
"""

import io
import re
from html.parser import HTMLParser

import openpyxl
import pytest
from django.apps import apps
from django.utils import translation

from associations.middleware import member_may_open
from associations.models import Role
from tests.scoping_registry import URL_ROLES
from tests.test_scoping import URLS, _url
from tests.test_scoping import prepare_world as prepare_world  # noqa: PLC0414 (the module's world)

# English words of the domain that a Chinese page has no reason to show, matched as whole words
# (case-sensitive: "None" and "True" are Python leaking through, "none" in a sentence is not ours).
ENGLISH = [
    "paid",
    "unpaid",
    "upcoming",
    "overdue",
    "due",
    "Token",
    "token",
    "Dataset",
    "Tablib",
    "Sheet",
    "draft",
    "submitted",
    "disbursed",
    "repaying",
    "repaid",
    "closed",
    "pending",
    "approved",
    "rejected",
    "withdrawn",
    "written",
    "active",
    "exited",
    "suspended",
    "cash",
    "bank",
    "government",
    "village",
    "township",
    "county",
    "member",
    "group",
    "loan",
    "Loan",
    "amount",
    "status",
    "None",
    "True",
    "False",
]
OUR_APPS = ("associations", "funds", "guarantees", "loans", "reports", "jobs")


def _choices() -> set[str]:
    """Every choice of every field of the app's models, its stored value and its English label
    ("repaying", "being repaid"): a status shown without its label, or a label never
    translated, is English on the page."""
    words = set()
    with translation.override("en"):
        for model in apps.get_models():
            if model._meta.app_label not in OUR_APPS:
                continue
            for field in model._meta.get_fields():
                for value, label in getattr(field, "choices", None) or []:
                    words |= {t for t in (str(value), str(label)) if re.fullmatch(PHRASE, t)}
    return words


PHRASE = r"[A-Za-z][A-Za-z _-]{2,}"
WORD = re.compile(
    r"(?<![A-Za-z0-9_])("
    + "|".join(sorted(map(re.escape, set(ENGLISH) | _choices()), key=len, reverse=True))
    + r")(?![A-Za-z0-9_])"
)
# A file's name (an export in the audit trail) is not a word of the page.
FILE_NAME = re.compile(r"[\w.-]+\.(?:xlsx|pdf|csv)\b")

SHOWN_ATTRIBUTES = {"placeholder", "title", "alt"}


class _VisibleText(HTMLParser):
    """The text a person reads: no script, style or template; no element in another language
    (the language switch names English in English, as it should)."""

    HIDDEN = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, hides its text)

    def _hidden(self) -> bool:
        return any(hides for _tag, hides in self.stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        foreign = (values.get("lang") or "zh").lower().startswith("en")
        hides = tag in self.HIDDEN or foreign
        if not hides and not self._hidden():
            self.parts += [v for k, v in attrs if k in SHOWN_ATTRIBUTES and v]
            # A button's value is sent, not shown; an input button shows its value.
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.parts.append(values.get("value") or "")
        if tag not in self.VOID:
            self.stack.append((tag, hides))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return "\n".join(part for part in parser.parts if part.strip())


def _texts(response) -> list[tuple[str, str]]:
    """(where, text) of a response: the page's visible text, or each Excel sheet's title and
    cells."""
    kind = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        out = []
        for sheet in book:
            out.append((f"sheet title {sheet.title!r}", sheet.title))
            cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell]
            out.append((f"sheet {sheet.title!r}", "\n".join(cells)))
        return out
    if kind.startswith("text/html") or kind.startswith("application/pdf"):
        if content.startswith(b"%PDF"):
            return []  # a stored report file (the scoping world's stand-in), not rendered here
        return [("page", visible_text(content.decode()))]
    return []


def english_words(text: str) -> list[str]:
    """Each line of `text` with an English word of the domain in it."""
    return [line.strip() for line in text.splitlines() if WORD.search(FILE_NAME.sub("", line))]


class _HtmlAsPdf:
    """Stands for weasyprint.HTML: the "PDF" is the HTML it was given."""

    def __init__(self, string: str = "", **_kwargs) -> None:
        self.string = string

    def write_pdf(self, *_args, **_kwargs) -> bytes:
        return self.string.encode()


@pytest.fixture(scope="module", autouse=True)
def _pdfs_as_their_html():
    """A PDF document is checked by the HTML it prints, and no PDF is drawn (they took a third
    of the test's time): every module of the app that renders with weasyprint gets the stand-in."""
    import sys

    import weasyprint

    apps = ("associations.", "funds.", "guarantees.", "loans.", "reports.", "jobs.")
    with pytest.MonkeyPatch.context() as patch:
        for name, module in list(sys.modules.items()):
            if name.startswith(apps) and getattr(module, "HTML", None) is weasyprint.HTML:
                patch.setattr(module, "HTML", _HtmlAsPdf)
        yield


def test_the_word_check_sees_english_and_ignores_markup():
    html = (
        '<p class="paid"><a href="/loans/?status=overdue">已还清</a></p>'
        '<script>var s = "pending";</script><button lang="en">English</button>'
        '<input type="submit" value="Token"><td>overdue (182)</td><input placeholder="None">'
        "<li>members-20261130.xlsx</li><td>being repaid</td>"
    )
    found = english_words(visible_text(html))
    assert found == ["Token", "overdue (182)", "None", "being repaid"]


@pytest.mark.parametrize("role", Role.values)
def test_every_page_is_in_chinese(client, world, role):
    client.force_login(world.inside.users[role])
    found: list[str] = []
    read = 0
    with translation.override("zh-hans"):
        for route, name in URLS:
            if role not in URL_ROLES.get(name, Role.values) or (
                role == Role.MEMBER and not member_may_open(name or "")
            ):
                continue  # a 404 for this role (tests/test_scoping.py checks that)
            url = _url(world, route, name)
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            if response.status_code != 200:
                continue
            texts = _texts(response)
            read += bool(texts)
            for where, text in texts:
                found += [f"{url} ({where}): {line}" for line in english_words(text)]
    # A member opens its own pages only (associations.middleware): about ten of them.
    assert read >= (9 if role == Role.MEMBER else 40), f"{role} read only {read} pages"
    assert not found, f"English shown to {role}:\n" + "\n".join(found)
