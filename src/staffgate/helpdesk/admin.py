from django.contrib import admin

from staffgate.helpdesk.models import Ticket, TicketNote


class TicketNoteInline(admin.TabularInline):
    model = TicketNote
    extra = 0
    can_delete = False
    fields = ("created_at", "author_name", "action", "outcome", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets are filed on /help/ and handled (and audited) on /helpdesk/."""

    list_display = ("reference", "created_at", "user_id", "full_name", "topic", "status")
    list_filter = ("status", "topic")
    search_fields = ("reference", "user_id", "full_name", "email")
    date_hierarchy = "created_at"
    inlines = [TicketNoteInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
