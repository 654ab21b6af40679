"""The one error type of the request workflow (shared by models, services and packages)."""


class WorkflowError(Exception):
    """A step that is refused (wrong state, missing reason, bad date). Its message is translated
    into the staff member's language: gettext runs when it is raised, inside the staff request."""
