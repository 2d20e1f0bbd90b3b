"""Messages of Django and of the apps we use that their own Chinese catalogues lack.

Listed here so that makemessages puts them in our catalogue, which Django reads before any
app's (LOCALE_PATHS): a Chinese page then shows no English from them. tests/test_translations.py
finds any new one when a page shows it; drop an entry once its app ships the translation.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = [
    # django.contrib.admin 5.2: the headers of the app list (read aloud), the add-user page, form errors.
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    # django-simple-history 3.13: the column of a period's versions that lists what each changed.
    gettext_noop("Changes"),
    # django-axes 8.3: its models' names, in the permission lists of the user and group admin.
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    # django.forms 5.2: a model choice that no longer exists (the admin's filters and forms).
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
    # django.contrib.auth 5.2: the password length rule (a plural: only ngettext marks both forms).
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
]
