from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outbox.models import OutboundEmail
from outbox.services import email_requeue


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    actions = ["requeue"]
    # `about` is the log's label (English, for the operators' logs), not for the translated admin.
    exclude = ["about"]
    readonly_fields = [field.name for field in OutboundEmail._meta.fields if field.name != "about"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    # Viewable, never editable: the row is the record of what was sent.
    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_requeue_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("outbox.change_outboundemail")

    @admin.action(description=_("Send the selected given-up e-mails again"), permissions=["requeue"])
    def requeue(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        count = email_requeue(queryset)
        self.message_user(
            request,
            ngettext("%(count)d e-mail is queued again.", "%(count)d e-mails are queued again.", count) % {"count": count},
            messages.SUCCESS,
        )
