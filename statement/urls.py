from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.statement, name="statement"),
    path("statement.pdf", views.statement_pdf, name="pdf"),
    path("cookies/", views.cookies, name="cookies"),
    path("versions/", views.versions, name="versions"),
    path("versions/<int:number>/", views.version_detail, name="version"),
    path("versions/<int:number>/statement.pdf", views.version_pdf, name="version-pdf"),
]
