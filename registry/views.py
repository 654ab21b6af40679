from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def statement(request: HttpRequest) -> HttpResponse:
    """Placeholder until the statement is rendered from the register (issue 5)."""
    return render(request, "registry/statement_placeholder.html")
