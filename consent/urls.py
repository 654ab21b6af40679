from django.urls import path

from . import views

app_name = "consent"
urlpatterns = [
    path("banner.js", views.loader, name="loader"),
    path("<str:version>/<str:build>/banner.js", views.script, name="script"),
    path("<str:build>/banner.css", views.stylesheet, name="stylesheet"),
]
