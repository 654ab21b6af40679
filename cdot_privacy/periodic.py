"""Periodic tasks are declared once, in code, and synced into django-celery-beat.

Each app may have a ``schedule.py`` with ``PERIODIC_TASKS = [Cron(...), Every(...)]``.
``periodic_tasks_sync()`` writes them into django-celery-beat's tables idempotently: a second
run changes nothing, a declaration that disappeared from code is removed. Crontabs are UTC.
Staff see the schedules in the admin and may pause one: the sync leaves `enabled` alone.
"""

import json
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

NAME_PREFIX = "cdot: "


@dataclass(frozen=True)
class Every:
    name: str
    task: str
    seconds: int
    description: str = ""
    kwargs: dict = field(default_factory=dict)

    def schedule_fields(self) -> dict:
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=self.seconds, period=IntervalSchedule.SECONDS
        )
        return {"interval": interval, "crontab": None}


@dataclass(frozen=True)
class Cron:
    """A crontab in UTC, e.g. Cron(name=..., task=..., minute="15", hour="2")."""

    name: str
    task: str
    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"
    description: str = ""
    kwargs: dict = field(default_factory=dict)

    def schedule_fields(self) -> dict:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=self.minute,
            hour=self.hour,
            day_of_week=self.day_of_week,
            day_of_month=self.day_of_month,
            month_of_year=self.month_of_year,
            timezone="UTC",
        )
        return {"crontab": crontab, "interval": None}


def declared_periodic_tasks() -> list[Every | Cron]:
    """Every PERIODIC_TASKS entry of every installed app's schedule.py."""
    declared: list[Every | Cron] = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.schedule")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.schedule":
                raise
            continue
        declared.extend(getattr(module, "PERIODIC_TASKS", []))
    names = [spec.name for spec in declared]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"periodic task names declared twice: {sorted(duplicates)}")
    return declared


@transaction.atomic
def periodic_tasks_sync() -> dict[str, int]:
    """Make django-celery-beat's tables match the declarations; returns what changed."""

    counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    declared = declared_periodic_tasks()
    for spec in declared:
        wanted = {
            "task": spec.task,
            "kwargs": json.dumps(spec.kwargs, sort_keys=True),
            "description": spec.description,
            **spec.schedule_fields(),
        }
        task = PeriodicTask.objects.filter(name=NAME_PREFIX + spec.name).first()
        if task is None:
            PeriodicTask.objects.create(name=NAME_PREFIX + spec.name, **wanted)
            counts["created"] += 1
            continue
        changed = [key for key, value in wanted.items() if getattr(task, key) != value]
        if not changed:
            counts["unchanged"] += 1
            continue
        for key in changed:
            setattr(task, key, wanted[key])
        task.save()
        counts["updated"] += 1
    stale = PeriodicTask.objects.filter(name__startswith=NAME_PREFIX).exclude(
        name__in=[NAME_PREFIX + spec.name for spec in declared]
    )
    counts["removed"], _ = stale.delete()
    return counts
