"""Writes of the area tree: one area, or a whole division-code file imported all or nothing."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from associations.codes import BadCode, level_of, normalise, parent_candidates, prefix_of
from associations.exceptions import AssociationRuleError
from associations.models import (
    CODE_LENGTHS,
    LEVEL_DEPTH,
    Area,
    AreaLevel,
)


def _check_area(*, code: str, level: str, parent: Area | None) -> None:
    if not (code.isascii() and code.isdigit()) or len(code) not in CODE_LENGTHS[AreaLevel(level)]:
        raise AssociationRuleError(
            _("Code %(code)s does not fit the level %(level)s (expected %(lengths)s digits).")
            % {
                "code": code,
                "level": AreaLevel(level).label,
                "lengths": _(" or ").join(str(n) for n in CODE_LENGTHS[AreaLevel(level)]),
            },
            "code_length",
        )
    if parent is None:
        return
    if LEVEL_DEPTH[AreaLevel(parent.level)] >= LEVEL_DEPTH[AreaLevel(level)]:
        raise AssociationRuleError(
            _("A %(level)s cannot sit under a %(parent_level)s.")
            % {"level": AreaLevel(level).label, "parent_level": AreaLevel(parent.level).label},
            "parent_level",
        )
    if not code.startswith(parent.prefix):
        raise AssociationRuleError(
            _("Code %(code)s does not start with its parent's code %(parent)s.")
            % {"code": code, "parent": parent.code},
            "parent_prefix",
        )


@transaction.atomic
def area_create(*, code: str, name: str, level: str, parent: Area | None) -> Area:
    """Create one area after checking its code against level and parent."""
    _check_area(code=code, level=level, parent=parent)
    if (
        parent is None
        and Area.objects.filter(parent__isnull=True, code__startswith=code[:2]).exists()
    ):
        raise AssociationRuleError(
            _("Province %(province)s already has a root area.") % {"province": code[:2]},
            "second_root",
        )
    return Area.objects.create(
        code=code, name=name.strip(), level=level, parent=parent, prefix=prefix_of(code, level)
    )


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportResult:
    created: int
    updated: int


class AreaImportError(AssociationRuleError):
    def __init__(self, errors: list[RowError]):
        super().__init__(
            _("%(count)s rows are wrong; nothing was imported.") % {"count": len(errors)},
            "bad_rows",
        )
        self.errors = errors


def areas_import(rows: list[tuple[int, str, str]]) -> ImportResult:
    """Import (line, code, name) rows of a division-code list: all rows or none.

    Codes may come in the published 12-digit form. Parents are found in the file or in the
    database. Existing codes get their name updated.
    """
    errors: list[RowError] = []
    parsed: dict[str, tuple[int, str, str]] = {}
    for line, raw_code, raw_name in rows:
        name = (raw_name or "").strip()
        try:
            code = normalise(raw_code)
        except BadCode:
            errors.append(
                RowError(
                    line,
                    _("code %(code)r is not a division code of 2, 6, 9 or 12 digits")
                    % {"code": raw_code},
                )
            )
            continue
        if not name:
            errors.append(RowError(line, _("name is empty")))
            continue
        if len(name) > 100:
            errors.append(RowError(line, _("name is longer than 100 characters")))
            continue
        if code in parsed:
            errors.append(
                RowError(
                    line,
                    _("code %(code)s is repeated (first on line %(first)s)")
                    % {"code": code, "first": parsed[code][0]},
                )
            )
            continue
        parsed[code] = (line, name, level_of(code))

    existing = {a.code: a for a in Area.objects.filter(code__in=_all_candidates(parsed))}
    plan: list[tuple[str, str, str, str | None]] = []
    file_roots: dict[str, list[tuple[int, str]]] = {}
    for code, (line, name, level) in sorted(parsed.items(), key=lambda item: len(item[0])):
        parent_code = next(
            (c for c in parent_candidates(code, level) if c in parsed or c in existing), None
        )
        if parent_code is None and code not in existing:
            file_roots.setdefault(code[:2], []).append((line, code))
        plan.append((code, name, level, parent_code))
    adopted = _check_roots(file_roots, errors)
    if errors:
        raise AreaImportError(sorted(errors, key=lambda e: e.line))
    return _write_areas(plan, existing, adopted)


def _check_roots(
    file_roots: dict[str, list[tuple[int, str]]], errors: list[RowError]
) -> list[Area]:
    """One root per province: a new root may only adopt the province's existing root."""
    adopted: list[Area] = []
    for province, roots in file_roots.items():
        line, root_code = roots[0]
        for extra_line, extra_code in roots[1:]:
            errors.append(
                RowError(
                    extra_line,
                    _("parent of %(code)s is neither in the file nor in the system")
                    % {"code": extra_code},
                )
            )
        root_prefix = prefix_of(root_code, level_of(root_code))
        for old_root in Area.objects.filter(parent__isnull=True, code__startswith=province):
            if old_root.code.startswith(root_prefix):
                adopted.append(old_root)
            else:
                errors.append(
                    RowError(
                        line,
                        _("parent of %(code)s is neither in the file nor in the system")
                        % {"code": root_code},
                    )
                )
    return adopted


def _all_candidates(parsed: dict[str, tuple[int, str, str]]) -> set[str]:
    codes = set(parsed)
    for code, (_line, _name, level) in parsed.items():
        codes.update(parent_candidates(code, level))
    return codes


@transaction.atomic
def _write_areas(
    plan: list[tuple[str, str, str, str | None]], existing: dict[str, Area], adopted: list[Area]
) -> ImportResult:
    created = updated = 0
    for code, name, level, parent_code in plan:
        if code in existing:
            area = existing[code]
            if area.name != name:
                area.name = name
                area.save(update_fields=["name"])
                updated += 1
            continue
        parent = existing.get(parent_code) if parent_code else None
        _check_area(code=code, level=level, parent=parent)
        existing[code] = Area.objects.create(
            code=code, name=name, level=level, parent=parent, prefix=prefix_of(code, level)
        )
        created += 1
    for orphan in adopted:
        level = AreaLevel(orphan.level)
        orphan.parent = next(
            existing[c] for c in parent_candidates(orphan.code, level) if c in existing
        )
        orphan.save(update_fields=["parent"])
    return ImportResult(created=created, updated=updated)
