from django.urls import path

from . import views

app_name = "requests"

urlpatterns = [
    path("", views.request_form, name="form"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("download/<str:token>/", views.download, name="download"),
]
