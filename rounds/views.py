from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, TemplateView
from django.views.generic.edit import FormMixin

from .exceptions import RoundTransitionError
from .forms import PlanCommentForm
from .models import Round, Stage
from .selectors import round_timeline, rounds_by_street
from .services import plan_comment_add
from .text_size import COOKIE, KEPT_FOR, LARGE
from .workflow import has_reached


class HomeView(TemplateView):
    template_name = "rounds/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(streets=rounds_by_street(), **kwargs)


class RoundDetailView(FormMixin, DetailView):
    """A round's public page: the eight-step timeline, the plan, and comments on the plan."""

    template_name = "rounds/round_detail.html"
    context_object_name = "round"
    form_class = PlanCommentForm
    queryset = Round.objects.select_related("community__street__district").prefetch_related(
        "planned_stages", "compounds"
    )

    def get_context_data(self, **kwargs):
        round = self.object
        return super().get_context_data(
            timeline=round_timeline(round),
            comments=round.plan_comments.exclude(answer=""),
            collecting=round.stage == Stage.COLLECTION,
            commenting=round.stage == Stage.PLAN,
            voting=round.stage == Stage.VOTING,
            proposals_public=has_reached(round, Stage.COLLECTION),
            library_public=has_reached(round, Stage.VOTING),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        try:
            plan_comment_add(round=self.object, **form.cleaned_data)
        except RoundTransitionError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("谢谢您的意见！工作人员答复后会公布在本页。"))
        return redirect(self.object)


def healthz(request):
    """Answer "ok": for load balancers, and the baseline of the station benchmark."""
    return HttpResponse("ok", content_type="text/plain")


def bad_request(request, exception):
    """Answer 400 with a page in Chinese.

    Django's own 400 view checks the CSRF token again, which reads the body again and turns
    a body it cannot decode (a form sent as GB18030, say) into a 500.
    """
    return render(request, "400.html", status=400)


def login_lockout_response(request, response, credentials):
    """Answer a login from a locked user name and address: when to try again, in Chinese.

    django-axes calls this (``AXES_LOCKOUT_CALLABLE``) instead of showing the login form.
    """
    retry_at = timezone.localtime(request.axes_attempt_time + settings.AXES_COOLOFF_TIME)
    return render(request, "registration/locked_out.html", {"retry_at": retry_at}, status=429)


@require_POST
def text_size(request):
    """Turn the large-text mode on or off for this browser, then go back to the page."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("rounds:home")
    response = redirect(back)
    if request.POST.get("size") == LARGE:
        response.set_cookie(
            COOKIE,
            LARGE,
            max_age=KEPT_FOR,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
