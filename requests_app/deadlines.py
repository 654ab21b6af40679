"""Deadline arithmetic for data-subject requests (GDPR Art. 12(3)), on the Brussels calendar.

- Due date = the day of receipt + one calendar month (Regulation 1182/71 counts a month as a
  calendar month). A day that does not exist in the next month clamps to its last day:
  31 January + 1 month = 28 February (29 February in a leap year), 31 March + 1 month = 30 April.
  `dateutil.relativedelta` does exactly that clamping.
- We do not push a due date that falls on a weekend or public holiday to the next working day
  (which 1182/71 would allow): answering earlier is always within the law.
- Extension (Art. 12(3)): by at most two further months counted from the original due date, with
  reasons, and only decided and told to the subject within the first month (on or before the
  original due date).
"""

from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

# Art. 12(3): one month, extendable by two further months.
ANSWER_PERIOD = relativedelta(months=1)
MAX_EXTENSION = relativedelta(months=2)


def local_date(moment: datetime) -> date:
    """The Brussels calendar day of an aware datetime (TIME_ZONE is Europe/Brussels)."""
    return timezone.localdate(moment)


def due_on_for(received_at: datetime) -> date:
    """Art. 12(3): the answer is due one calendar month after the day of receipt."""
    return local_date(received_at) + ANSWER_PERIOD


def latest_extension(due_on: date) -> date:
    """Art. 12(3): the latest date an extension may set (two months after the due date)."""
    return due_on + MAX_EXTENSION


def extension_allowed_on(today: date, due_on: date) -> bool:
    """Art. 12(3): an extension must be decided within the first month."""
    return today <= due_on
