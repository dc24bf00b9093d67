from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rounds.admin import ScopedAdminMixin
from rounds.admin_mixins import ROUND_FILTER, ServiceAdminMixin
from rounds.scopes import can_manage_round

from .exceptions import NoticeError
from .models import PublicityNotice
from .services import notice_publish, notice_update

# Copied from the certified tally when the notice is drafted; never typed in.
TALLY_FIELDS = [
    "projects_table",
    "voters",
    "valid_ballots",
    "rule_text",
    "tie_note",
    "tally_certified_at",
]


@admin.register(PublicityNotice)
class PublicityNoticeAdmin(ServiceAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Drafts are drafted on entering publicity; staff edit the text, then publish (frozen)."""

    scope_root = "round__community"
    list_display = ["title", "round", "version", "status", "starts_on", "ends_on", "published_at"]
    list_filter = ["status", ROUND_FILTER]
    list_select_related = ["round"]
    change_form_template = "admin/notices/publicitynotice/change_form.html"
    fieldsets = [
        (None, {"fields": ["round", "version", "status", "title", "body"]}),
        (
            gettext_lazy("公示期与意见反馈"),
            {"fields": ["starts_on", "ends_on", "objection_address", "objection_phone"]},
        ),
        (gettext_lazy("落款"), {"fields": ["issuer", "issued_on"]}),
        (gettext_lazy("投票结果（依据确认的计票结果，不能修改）"), {"fields": TALLY_FIELDS}),
        (None, {"fields": ["published_at", "published_by"]}),
    ]
    readonly_fields = ["round", "version", "status", *TALLY_FIELDS, "published_at", "published_by"]

    @admin.display(description=gettext_lazy("入选项目"))
    def projects_table(self, notice):
        return render_to_string("notices/_projects_table.html", {"notice": notice})

    def has_add_permission(self, request):
        return False  # drafted when the round enters publicity

    def has_change_permission(self, request, obj=None):
        frozen = obj is not None and not obj.is_draft
        return not frozen and super().has_change_permission(request, obj)

    def update(self, request, obj, changes):
        notice_update(notice=obj, changes=changes, actor=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        notice = self.get_object(request, object_id)
        can_publish = (
            notice is not None and notice.is_draft and can_manage_round(request.user, notice.round)
        )
        extra_context = {**(extra_context or {}), "can_publish": can_publish}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="notices_publicitynotice_publish",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request, object_id):
        notice = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not can_manage_round(request.user, notice.round):
            raise PermissionDenied
        change_url = reverse("admin:notices_publicitynotice_change", args=[notice.pk])
        if request.method == "POST":
            try:
                notice_publish(notice=notice, actor=request.user)
            except NoticeError as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("公示已发布，内容已冻结：%(notice)s。") % {"notice": notice},
                    messages.SUCCESS,
                )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": notice,
            "change_url": change_url,
            "title": _("确认发布公示"),
        }
        return TemplateResponse(request, "admin/notices/publicitynotice/publish.html", context)
