from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from rounds.views import healthz

handler400 = "rounds.views.bad_request"

admin.site.site_header = _("微实事 管理后台")
admin.site.site_title = _("微实事")
admin.site.index_title = _("社区参与式治理")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("rounds.urls")),
    path("", include("proposals.urls")),
    path("", include("voting.urls")),
    path("", include("notices.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    prefix_default_language=False,
)
