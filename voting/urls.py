from django.urls import path

from . import views

app_name = "voting"
urlpatterns = [
    path("stations/", views.StationListView.as_view(), name="stations"),
    path("stations/<int:pk>/", views.StationDeskView.as_view(), name="desk"),
    path("stations/<int:pk>/ballot/", views.BallotView.as_view(), name="ballot"),
    path("stations/<int:pk>/paper/", views.PaperCountView.as_view(), name="paper"),
    path("stations/<int:pk>/close/", views.StationCloseView.as_view(), name="close"),
    path("rounds/<int:pk>/results/", views.RoundResultsView.as_view(), name="results"),
    path("rounds/<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("rounds/<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("rounds/<int:pk>/ballots.csv", views.ballots_csv, name="ballots_csv"),
    path("rounds/<int:pk>/ballots.xlsx", views.ballots_xlsx, name="ballots_xlsx"),
    path("rounds/<int:pk>/round.pb", views.round_pb, name="round_pb"),
]
