from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from rounds.exports import csv_download, csv_text, download, xlsx_download
from rounds.models import Round

from .exceptions import ChoicesError, VotingError
from .forms import BallotForm, ClosureForm, PaperCountForm, VoterForm
from .identity import voter_key
from .models import BallotStation, CertifiedTally, StationOfficer
from .pabulib import write_pb
from .selectors import (
    RULE_EXPLANATIONS,
    round_ballots_table,
    round_public_results,
    round_results_table,
)
from .services import (
    ballot_cast,
    paper_count_enter,
    paper_count_review,
    station_check_open,
    station_close,
    station_count,
    voter_check_not_voted,
    voter_record,
)

BALLOT_SALT = "weishishi.ballot"
BALLOT_MAX_AGE = 15 * 60  # a voter has a quarter of an hour to fill in the ballot


class OfficerStationMixin(LoginRequiredMixin):
    """Find the station in the URL among those the signed-in officer is assigned to."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.find_station(kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def find_station(self, pk):
        """Set the station and the officer's duty days there (None: every day), or raise 404.

        One query: the officer's assignments there (one a day, or one for every day), each
        with the station, its round and its closure, if any.
        """
        assignments = list(
            StationOfficer.objects.filter(station=pk, user=self.request.user).select_related(
                "station__round", "station__closure"
            )
        )
        if not assignments:
            raise Http404
        self.station = assignments[0].station
        self.duty_days = {assignment.day for assignment in assignments}

    def render(self, template, **context):
        return render(self.request, template, {"station": self.station, **context})


class StationListView(LoginRequiredMixin, ListView):
    template_name = "voting/station_list.html"
    context_object_name = "stations"

    def get_queryset(self):
        return (
            BallotStation.objects.filter(officers=self.request.user)
            .select_related("round", "closure")
            .distinct()
            .order_by("-round__year", "name")
        )


class StationDeskView(OfficerStationMixin, View):
    """The officer's desk: record a voter, then hand the tablet over or give a paper ballot."""

    def get(self, request, pk):
        return self.desk(VoterForm())

    def desk(self, form):
        try:
            station_check_open(station=self.station, duty_days=self.duty_days)
            closed_reason = None
        except VotingError as refusal:
            closed_reason = str(refusal)
        return self.render("voting/desk.html", form=form, closed_reason=closed_reason)

    def post(self, request, pk):
        form = VoterForm(request.POST)
        if not form.is_valid():
            return self.desk(form)
        data = form.cleaned_data
        key = voter_key(self.station.round, data["document_type"], data["document_number"])
        try:
            station_check_open(station=self.station, duty_days=self.duty_days)
            voter_check_not_voted(round=self.station.round, voter_key=key)
            if self.station.mode == BallotStation.Mode.PAPER:
                voter_record(
                    station=self.station,
                    officer=request.user,
                    relation=data["relation"],
                    voter_key=key,
                )
                messages.success(request, _("已登记，请发给这位居民一张纸质选票。"))
                return redirect("voting:desk", pk=self.station.pk)
        except VotingError as refusal:
            form.add_error(None, str(refusal))
            return self.desk(form)
        token = signing.dumps(
            {"key": key, "relation": data["relation"], "station": self.station.pk}, salt=BALLOT_SALT
        )
        return self.render(
            "voting/ballot.html",
            form=BallotForm(station=self.station, initial={"token": token}),
        )


class BallotView(OfficerStationMixin, View):
    """The voter ticks the projects and submits; the mark, then the ballot, are written.

    The thank-you page asks the voter to hand the tablet back; the next voter's form is
    folded under it until the officer takes the tablet back and opens it.
    """

    def find_station(self, pk):
        """Only the station: ``ballot_cast`` reads it again, locked, with its round and closure."""
        self.station = BallotStation.objects.filter(pk=pk, officers=self.request.user).first()
        if self.station is None:
            raise Http404

    def post(self, request, pk):
        form = BallotForm(request.POST, station=self.station)
        voter = self.voter(request.POST.get("token", ""))
        if voter is None:
            messages.error(request, _("选票已超时或无效，请工作人员重新登记。"))
            return redirect("voting:desk", pk=self.station.pk)
        if form.is_valid():
            try:
                ballot = ballot_cast(
                    station=self.station,
                    officer=request.user,
                    relation=voter["relation"],
                    voter_key=voter["key"],
                    refs=form.cleaned_data["items"],
                )
            except ChoicesError as refusal:  # the voter can put it right: ticks kept
                form.add_error("items", str(refusal))
            except VotingError as refusal:
                messages.error(request, str(refusal))
                return redirect("voting:desk", pk=self.station.pk)
            else:
                self.station = ballot.station  # as read under the lock
                return self.render("voting/ballot_cast.html", form=VoterForm())
        return self.render("voting/ballot.html", form=form)

    def voter(self, token):
        """Return the voter the desk recorded, from the ballot's signed token.

        None if the token is missing, too old, tampered with or from another station.
        """
        try:
            voter = signing.loads(token, salt=BALLOT_SALT, max_age=BALLOT_MAX_AGE)
        except signing.BadSignature:
            return None
        return voter if voter["station"] == self.station.pk else None


class PaperCountView(OfficerStationMixin, View):
    """One officer's typing of the paper ballots, prefilled with what they typed before."""

    def get(self, request, pk):
        return self.page()

    def page(self, form=None):
        """The form, the other officer's typing and the lines where the two differ."""
        lines, other, differing = paper_count_review(
            station=self.station, officer=self.request.user
        )
        if form is None:
            form = PaperCountForm(initial={"lines": lines})
        return self.render("voting/paper_count.html", form=form, other=other, differing=differing)

    def post(self, request, pk):
        form = PaperCountForm(request.POST)
        if form.is_valid():
            try:
                paper_count_enter(
                    station=self.station, officer=request.user, lines=form.cleaned_data["lines"]
                )
            except VotingError as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request, _("已保存您的录入。两名工作人员都录入后即可核对并关闭投票站。")
                )
                return redirect("voting:desk", pk=self.station.pk)
        return self.page(form)


class StationCloseView(OfficerStationMixin, View):
    """The confirmation page: the station's count as closing would record it, then 确认."""

    def get(self, request, pk):
        return self.page(ClosureForm(station=self.station))

    def page(self, form):
        try:
            count, count_refusal = station_count(self.station), None
        except VotingError as refusal:
            count, count_refusal = None, str(refusal)
        return self.render("voting/close.html", form=form, count=count, count_refusal=count_refusal)

    def post(self, request, pk):
        form = ClosureForm(request.POST, station=self.station)
        if form.is_valid():
            try:
                station_close(station=self.station, actor=request.user, **form.cleaned_data)
            except VotingError as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("投票站已关闭，点票记录已保存。"))
                return redirect("voting:stations")
        return self.page(form)


class RoundResultsView(DetailView):
    """The public results: station progress while counting, the certified result after."""

    model = Round
    template_name = "voting/results.html"
    context_object_name = "round"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            results=round_public_results(self.object),
            rule_explanation=RULE_EXPLANATIONS[self.object.tally_rule],
            **kwargs,
        )


def _certified_round(pk):
    round = get_object_or_404(Round, pk=pk)
    if not CertifiedTally.objects.filter(round=round).exists():
        raise Http404
    return round


def _filename(round, what, extension):
    return _("%(year)s年度%(community)s-%(what)s.%(extension)s") % {
        "year": round.year,
        "community": round.community.name,
        "what": what,
        "extension": extension,
    }


def results_csv(request, pk):
    """The certified ranking as CSV: rank, ref, title, cost, votes, running total, selected."""
    round = _certified_round(pk)
    return csv_download(
        csv_text(*round_results_table(round)), _filename(round, _("计票结果"), "csv")
    )


def results_xlsx(request, pk):
    """The certified ranking as an Excel workbook, the same table as the CSV."""
    round = _certified_round(pk)
    return xlsx_download(*round_results_table(round), _filename(round, _("计票结果"), "xlsx"))


def ballots_csv(request, pk):
    """Every ballot, anonymised and sorted.

    In Chinese the file is the canonical one after its BOM: the SHA-256 of those bytes is the
    certified inputs digest. Under /en/ the same table has English headers and kinds.
    """
    round = _certified_round(pk)
    return csv_download(
        csv_text(*round_ballots_table(round)), _filename(round, _("全部匿名选票"), "csv")
    )


def ballots_xlsx(request, pk):
    round = _certified_round(pk)
    return xlsx_download(*round_ballots_table(round), _filename(round, _("全部匿名选票"), "xlsx"))


def round_pb(request, pk):
    """The round in Pabulib's .pb format, for researchers."""
    round = _certified_round(pk)
    return download(write_pb(round), f"round-{round.pk}.pb", "text/plain; charset=utf-8")
