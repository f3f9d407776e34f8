import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from associations.services.areas import AreaImportError, areas_import


class Command(BaseCommand):
    help = "Import a published division-code list (CSV with columns code,name). All rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            rows = _read_rows(file)
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from error
        try:
            result = areas_import(rows)
        except AreaImportError as error:
            for row_error in error.errors:
                self.stderr.write(str(row_error))
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Imported areas: %(created)s created, %(updated)s renamed.")
            % {"created": result.created, "updated": result.updated}
        )


def _read_rows(file: Path) -> list[tuple[int, str, str]]:
    with file.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        rows = []
        for line, record in enumerate(reader, start=1):
            if not record or not "".join(record).strip():
                continue
            if line == 1 and record[0].strip().lower() in {"code", "统计用区划代码", "代码"}:
                continue
            code = record[0] if record else ""
            name = record[1] if len(record) > 1 else ""
            rows.append((line, code, name))
        return rows
