"""Keep an uploaded file between the dry-run preview and the confirmation.

The file is written under VAR_DIR/imports with a random name; the session remembers which
file belongs to which import and association, so one user cannot confirm another's upload.
"""

import secrets
from pathlib import Path

from django.conf import settings

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _folder() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stash(request, *, kind: str, association_id: int, content: bytes) -> str:
    token = secrets.token_hex(16)
    (_folder() / f"{token}.xlsx").write_bytes(content)
    request.session[f"upload_{kind}"] = {"token": token, "association": association_id}
    return token


def load(request, *, kind: str, token: str) -> tuple[int, bytes] | None:
    """(association id, content) of the user's own pending upload, or None."""
    pending = request.session.get(f"upload_{kind}")
    if not pending or pending["token"] != token or not token.isalnum():
        return None
    path = _folder() / f"{token}.xlsx"
    if not path.exists():
        return None
    return pending["association"], path.read_bytes()


def discard(request, *, kind: str) -> None:
    pending = request.session.pop(f"upload_{kind}", None)
    if pending and pending["token"].isalnum():
        (_folder() / f"{pending['token']}.xlsx").unlink(missing_ok=True)
