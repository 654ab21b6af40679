from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def request_form(request: HttpRequest) -> HttpResponse:
    """Placeholder until the data-subject request form lands (issue 7)."""
    return render(request, "requests_app/form_placeholder.html")
