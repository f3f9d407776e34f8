from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from associations.exceptions import MemberRuleError
from associations.models import Association, User
from associations.services.member_import import (
    MemberImportError,
    member_template,
    members_import,
    read_rows,
)


class Command(BaseCommand):
    help = (
        "Import member households from an Excel roster: all rows or none. "
        "With --template OUT.xlsx, write the empty roster instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--association", help="division code of the association's village")
        parser.add_argument(
            "--by", help="username of the village clerk the import is recorded under"
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write none")
        parser.add_argument("--template", type=Path, help="write the empty template here")

    def handle(
        self, *args, file=None, association=None, dry_run=False, template=None, by=None, **opts
    ):
        translation.activate("zh-hans")
        if template:
            template.write_bytes(member_template())
            self.stdout.write(_("Template written to %(file)s.") % {"file": template})
            return
        if not file or not association:
            raise CommandError(_("Give the Excel file and --association CODE."))
        clerk = User.objects.filter(username=by or "").first()
        if clerk is None:
            raise CommandError(
                _("Give --by USERNAME: the village clerk the import is recorded under.")
            )
        target = Association.objects.filter(area__code=association).first()
        if target is None:
            raise CommandError(_("No association in the village %(code)s.") % {"code": association})
        try:
            rows = read_rows(file.read_bytes())
            report = members_import(association=target, rows=rows, by=clerk, dry_run=dry_run)
        except OSError as error:
            raise CommandError(str(error)) from error
        except MemberImportError as error:
            for row_error in error.report.errors:
                self.stderr.write(str(row_error))
            raise CommandError(str(error)) from error
        except MemberRuleError as error:
            raise CommandError(str(error)) from error
        if dry_run:
            self.stdout.write(
                _("All %(count)s rows are good; nothing written (dry run).")
                % {"count": len(report.good)}
            )
        else:
            self.stdout.write(_("Imported %(count)s members.") % {"count": report.created})
