"""Strings of the admin's libraries that their own catalogues leave untranslated in nl or fr.

Django 5.2's admin (new table headings) and django-simple-history (history pages) ship without
these in Dutch. Listed here with gettext_noop so makemessages keeps them in this app's
catalogue; Django merges the catalogues, so the staff pages find them here.
"""

from django.utils.translation import gettext_noop

LIBRARY_STRINGS = [
    # django.contrib.admin 5.2
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    gettext_noop("Filter"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    # django-simple-history
    gettext_noop("View history: %s"),
    gettext_noop('The %(name)s "%(obj)s" was changed successfully.'),
    gettext_noop("You may edit it again below"),
    gettext_noop("Revert %s"),
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("View %(verbose_name)s"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Press the 'Change History' button below to edit the history."),
    gettext_noop("Object"),
    gettext_noop("Comment"),
    gettext_noop("Changed by"),
    gettext_noop("Change reason"),
    gettext_noop("Revert"),
    gettext_noop("Change History"),
    # templates/simple_history/object_history_list.html (the project's override)
    gettext_noop("system"),
]
