"""Chinese first, English complete: every user-facing string has its Chinese translation."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "node_modules", "var", ".git", "tests", "__pycache__"}


def _po_files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("locale/zh_Hans/LC_MESSAGES/django.po")
        if not SKIP_DIRS & set(p.relative_to(root).parts)
    )


def test_every_message_is_translated_to_chinese():
    missing = {}
    for path in _po_files(ROOT):
        po = polib.pofile(str(path))
        left = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
        if left:
            missing[str(path.relative_to(ROOT))] = left
    assert not missing, f"untranslated or fuzzy messages: {missing}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_catalogues_are_up_to_date_with_the_source(tmp_path):
    """Run makemessages on a copy of the tree: it must find no message the catalogues lack."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*SKIP_DIRS, "*.mo"))
    env = {**os.environ, "DEBUG": "1", "PYTHONPATH": str(copy)}
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--ignore=tests",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    stale = {}
    for fresh in _po_files(copy):
        committed = ROOT / fresh.relative_to(copy)
        new_ids = {e.msgid for e in polib.pofile(str(fresh))}
        old_ids = {e.msgid for e in polib.pofile(str(committed))} if committed.exists() else set()
        if new_ids - old_ids:
            stale[str(committed.relative_to(ROOT))] = sorted(new_ids - old_ids)
    assert not stale, f"run `make makemessages` and translate: {stale}"


def test_one_message_has_one_translation_in_every_catalogue():
    """Django merges the catalogues and one translation wins for the whole site: the same
    (context, message) translated differently in two catalogues shows the wrong word somewhere.
    Where the meaning differs, the source gives the message a context (pgettext)."""
    seen: dict[tuple[str | None, str], dict[str, str]] = {}
    for path in _po_files(ROOT):
        catalogue = str(path.relative_to(ROOT))
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            translation = entry.msgstr or " | ".join(
                entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)
            )
            seen.setdefault((entry.msgctxt, entry.msgid), {})[catalogue] = translation
    clashes = {
        f"{msgid!r}" + (f" (context {context!r})" if context else ""): by_catalogue
        for (context, msgid), by_catalogue in sorted(
            seen.items(), key=lambda kv: (kv[0][1], kv[0][0] or "")
        )
        if len(set(by_catalogue.values())) > 1
    }
    assert not clashes, (
        f"{len(clashes)} messages are translated differently by catalogue: {clashes}"
    )
