from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from rounds.models import Round
from rounds.scopes import scoped
from voting.identity import DocumentType
from voting.models import BallotStation, StationOfficer

from .pdf import render_pdf
from .qr import qr_svg, results_url
from .selectors import public_notice, public_notices, tally_still_in_force


def printable_stations(user):
    """Return the stations whose printouts ``user`` may have: in their staff scope, or served."""
    in_scope = (
        scoped(user, BallotStation.objects.all(), "round__community", "community")
        if user.is_staff or user.is_superuser
        else BallotStation.objects.none()
    )
    serving = StationOfficer.objects.filter(user=user).values("station")
    return BallotStation.objects.filter(Q(pk__in=in_scope.values("pk")) | Q(pk__in=serving))


def pdf_response(template_name, context, filename):
    """Return the rendered PDF, shown in the browser and saved under ``filename``."""
    return HttpResponse(
        render_pdf(template_name, context),
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(False, filename)},
    )


def _station_context(user, pk):
    station = get_object_or_404(
        printable_stations(user).select_related("round__community__street"), pk=pk
    )
    round = station.round
    return {
        "station": station,
        "round": round,
        "items": round.ballot_items.select_related("compound").order_by("number"),
    }


@login_required
def station_ballot(request, pk):
    """The paper ballot of a station: the round's project library, a box to tick for each."""
    context = _station_context(request.user, pk)
    filename = _("%(year)s年度选票-%(station)s.pdf") % {
        "year": context["round"].year,
        "station": context["station"].name,
    }
    return pdf_response("notices/pdf/ballot.html", context, filename)


@login_required
def station_poster(request, pk):
    """The poster at a station: where and when, who may vote, what to bring, what is on the ballot."""
    context = _station_context(request.user, pk)
    station, round = context["station"], context["round"]
    context |= {
        "days": (station.closes_on - station.opens_on).days + 1,
        "documents": DocumentType.labels,
        "other_stations": round.stations.exclude(pk=station.pk).order_by("name"),
        "min_share_percent": None if round.min_vote_share is None else round.min_vote_share * 100,
    }
    filename = _("%(year)s年度投票站公告-%(station)s.pdf") % {
        "year": round.year,
        "station": station.name,
    }
    return pdf_response("notices/pdf/poster.html", context, filename)


def _notice_context(request, pk, version=None):
    round = get_object_or_404(Round.objects.select_related("community__street"), pk=pk)
    notice = public_notice(round, version)
    url = results_url(request, round)
    return {
        "round": round,
        "notice": notice,
        "results_url": url,
        "qr": qr_svg(url, title=_("扫码查看投票结果")),
        "in_force": tally_still_in_force(notice),
    }


def notice(request, pk, version=None):
    """The round's 公示 in force (or an earlier version), public once published; 404 before."""
    context = _notice_context(request, pk, version)
    context["versions"] = list(public_notices(context["round"]))
    return render(request, "notices/notice.html", context)


def _notice_filename(context, what):
    round = context["round"]
    return _("%(year)s年度%(community)s-%(what)s-第%(version)s版.pdf") % {
        "year": round.year,
        "community": round.community.name,
        "what": what,
        "version": context["notice"].version,
    }


def notice_pdf(request, pk):
    """The notice in force as an A4 document, the look of an official notice."""
    context = _notice_context(request, pk)
    filename = _notice_filename(context, _("投票结果公示"))
    return pdf_response("notices/pdf/notice.html", context, filename)


def notice_poster(request, pk):
    """The notice in force as an A3 poster for the community's notice board (公示栏)."""
    context = _notice_context(request, pk)
    filename = _notice_filename(context, _("公示栏海报"))
    return pdf_response("notices/pdf/notice_poster.html", context, filename)
