"""The gates can fail: axe-core and the Nu checker do report a broken page."""

from .conftest import axe_violations, vnu_errors

BROKEN_PAGE = """<!DOCTYPE html><html><head><title>x</title></head><body>
<form><input type="text" name="name"></form><img src="data:," >
<p><div>block inside a paragraph</p></body></html>"""


def test_axe_reports_an_unlabelled_field_and_an_image_without_alt(page):
    page.set_content(BROKEN_PAGE)
    rules = {violation["rule"] for violation in axe_violations(page)}
    assert {"label", "image-alt"} <= rules


def test_nu_checker_reports_invalid_html(tmp_path):
    errors = vnu_errors({"broken": BROKEN_PAGE, "fine": _valid_page()}, tmp_path)
    assert "fine" not in errors
    assert any("alt" in message for message in errors["broken"])


def _valid_page() -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>ok</title></head>'
        "<body><main><p>fine</p></main></body></html>"
    )
