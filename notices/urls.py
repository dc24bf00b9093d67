from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("stations/<int:pk>/ballot.pdf", views.station_ballot, name="station_ballot"),
    path("stations/<int:pk>/poster.pdf", views.station_poster, name="station_poster"),
]
