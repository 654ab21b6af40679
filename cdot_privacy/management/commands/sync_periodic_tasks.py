from django.core.management.base import BaseCommand

from cdot_privacy.periodic import periodic_tasks_sync


class Command(BaseCommand):
    help = "Write the periodic tasks declared in code (each app's schedule.py) into celery beat."

    def handle(self, *args, **options):
        counts = periodic_tasks_sync()
        self.stdout.write(", ".join(f"{key} {value}" for key, value in counts.items()))
