from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("stations/<int:pk>/ballot.pdf", views.station_ballot, name="station_ballot"),
    path("stations/<int:pk>/poster.pdf", views.station_poster, name="station_poster"),
    path("rounds/<int:pk>/notice/", views.notice, name="notice"),
    path("rounds/<int:pk>/notice/<int:version>/", views.notice, name="notice_version"),
    path("rounds/<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("rounds/<int:pk>/notice-poster.pdf", views.notice_poster, name="notice_poster"),
]
