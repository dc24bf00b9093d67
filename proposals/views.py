import uuid

from django.core import signing
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, FormView, TemplateView

from rounds.addresses import client_address
from rounds.models import Round, Stage
from rounds.workflow import has_reached

from .exceptions import ProposalError
from .forms import ProposalForm, StatusLookupForm
from .models import Category, Photo, Proposal, Status
from .photos import photo_from_token
from .selectors import (
    proposal_for_proposer,
    public_ballot_item,
    public_proposal,
    round_ballot_library,
    round_exclusion_counts,
    round_outcome_counts,
    round_public_proposals,
)
from .services import (
    photos_keep_pending,
    proposal_submit,
    status_lookup_allowed,
    status_lookup_matched,
)

RECEIPT_SESSION_KEY = "proposal_receipts"


class ProposalCreateView(FormView):
    """The resident's proposal form, open only while the round is collecting proposals."""

    form_class = ProposalForm
    template_name = "proposals/proposal_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.round = get_object_or_404(Round.objects.select_related("community"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "round": self.round}

    def get_initial(self):
        return {"submission_token": uuid.uuid4()}

    def get_context_data(self, **kwargs):
        collection = self.round.planned_stages.filter(stage=Stage.COLLECTION).first()
        return super().get_context_data(
            round=self.round,
            is_open=self.round.stage == Stage.COLLECTION,
            collection=collection,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if self.round.stage != Stage.COLLECTION:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        """Show the errors, keeping any photos that passed their checks for the next try."""
        photos = form.cleaned_data.get("photos")
        if photos and not form.photos_were_kept:
            form.data = form.data.copy()
            form.data["kept_photos"] = photos_keep_pending(uploads=photos)
        if photos:
            form["photos"].help_text = ngettext(
                "已保留您上传的%(count)d张照片，不用重新选择；重新选择则以新选的为准。",
                "已保留您上传的%(count)d张照片，不用重新选择；重新选择则以新选的为准。",
                len(photos),
            ) % {"count": len(photos)}
        return super().form_invalid(form)

    def form_valid(self, form):
        proposal = form.save(commit=False)
        proposal.round = self.round
        try:
            proposal = proposal_submit(
                proposal=proposal,
                photos=form.cleaned_data["photos"],
                submission_token=form.cleaned_data["submission_token"],
                address=client_address(self.request),
            )
        except ProposalError as refusal:
            form.add_error(None, str(refusal))
            return self.form_invalid(form)
        receipts = self.request.session.get(RECEIPT_SESSION_KEY, [])
        self.request.session[RECEIPT_SESSION_KEY] = [*receipts, proposal.tracking_code][-10:]
        return redirect("proposals:receipt", code=proposal.tracking_code)


class ProposalReceiptView(TemplateView):
    """The page a resident sees right after submitting: the tracking code to keep."""

    template_name = "proposals/receipt.html"

    def get_context_data(self, **kwargs):
        code = kwargs["code"]
        if code not in self.request.session.get(RECEIPT_SESSION_KEY, []):
            raise Http404
        proposal = get_object_or_404(Proposal.objects.select_related("round"), tracking_code=code)
        return super().get_context_data(proposal=proposal, **kwargs)


class ProposalStatusView(FormView):
    """A proposer's private status page, reached with the tracking code and the phone number."""

    form_class = StatusLookupForm
    template_name = "proposals/status.html"

    def form_valid(self, form):
        address = client_address(self.request)
        if not status_lookup_allowed(address=address):
            form.add_error(None, _("查询失败次数过多，请一小时后再试。"))
            return self.form_invalid(form)
        proposal = proposal_for_proposer(
            form.cleaned_data["tracking_code"], form.cleaned_data["phone"]
        )
        if proposal is None:
            form.add_error(None, _("查询码与手机号码不匹配，请核对后再试。"))
            return self.form_invalid(form)
        status_lookup_matched(address=address)
        return self.render_to_response(self.get_context_data(form=form, proposal=proposal))


def photo_view(request, token):
    """Serve a photo named by a signed, expiring link; there is no public path to the file."""
    try:
        pk = photo_from_token(token)
    except signing.BadSignature:
        raise Http404 from None
    photo = get_object_or_404(Photo, pk=pk)
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


class RoundProposalsView(DetailView):
    """Every proposal of a round, without personal data, with filters and counts by outcome."""

    model = Round
    template_name = "proposals/round_proposals.html"
    context_object_name = "round"

    def get_context_data(self, **kwargs):
        filters = {key: self.request.GET.get(key, "") for key in ("category", "compound", "status")}
        exclusion_counts = round_exclusion_counts(self.object)
        return super().get_context_data(
            proposals=round_public_proposals(self.object, **filters),
            filters=filters,
            categories=Category.choices,
            statuses=Status.choices,
            compounds=self.object.community.compounds.all(),
            outcome_counts=round_outcome_counts(self.object),
            exclusion_counts=exclusion_counts,
            exclusion_max=max((count for _reason, count in exclusion_counts), default=0),
            **kwargs,
        )


class BallotLibraryView(DetailView):
    """The round's project library, public once voting has begun."""

    model = Round
    template_name = "proposals/ballot_library.html"
    context_object_name = "round"

    def get_context_data(self, **kwargs):
        return super().get_context_data(items=round_ballot_library(self.object), **kwargs)


class PublicRoundObjectView(TemplateView):
    """A public page of one thing of a round, found by ``find(round, key)``; 404 when it is None."""

    find = None
    key = None

    def get_context_data(self, **kwargs):
        round = get_object_or_404(Round.objects.select_related("community"), pk=kwargs["pk"])
        found = self.find(round, kwargs[self.key])
        if found is None:
            raise Http404
        return super().get_context_data(
            round=round,
            found=found,
            library_public=has_reached(round, Stage.VOTING),
            **kwargs,
        )


class ProposalDetailView(PublicRoundObjectView):
    """A proposal's public page: what, where, why, photos, cost, its history and its outcome."""

    template_name = "proposals/proposal_detail.html"
    find = staticmethod(public_proposal)
    key = "code"


class BallotItemDetailView(PublicRoundObjectView):
    """A ballot item's public page: the project, its photos, its proposals, its outcome."""

    template_name = "proposals/ballot_item_detail.html"
    find = staticmethod(public_ballot_item)
    key = "ref"
