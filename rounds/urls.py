from django.urls import path

from . import views

app_name = "rounds"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="detail"),
    path("text-size/", views.text_size, name="text_size"),
]
