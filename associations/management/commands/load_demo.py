from django.core.management.base import BaseCommand
from django.utils import translation

from associations.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo world (idempotent) and print one login per role."

    def handle(self, *args, **options):
        translation.activate("zh-hans")
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (username / password):"))
        for login in logins:
            self.stdout.write(
                f"  {login.username:<28} {login.password}   {login.role} · {login.area}"
            )
