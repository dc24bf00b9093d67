from django.urls import path

from . import views

app_name = "proposals"
urlpatterns = [
    path("rounds/<int:pk>/propose/", views.ProposalCreateView.as_view(), name="create"),
    path("rounds/<int:pk>/proposals/", views.RoundProposalsView.as_view(), name="round_proposals"),
    path(
        "rounds/<int:pk>/proposals/<str:code>/",
        views.ProposalDetailView.as_view(),
        name="proposal",
    ),
    path("rounds/<int:pk>/library/", views.BallotLibraryView.as_view(), name="library"),
    path(
        "rounds/<int:pk>/library/<str:ref>/",
        views.BallotItemDetailView.as_view(),
        name="ballot_item",
    ),
    path("proposals/receipt/<str:code>/", views.ProposalReceiptView.as_view(), name="receipt"),
    path("proposals/status/", views.ProposalStatusView.as_view(), name="status"),
    path("photos/<str:token>/", views.photo_view, name="photo"),
]
