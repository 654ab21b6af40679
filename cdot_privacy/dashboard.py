"""The staff dashboard on the admin index (filled in below)."""


def dashboard_context(request) -> dict:
    return {}
