from django.db import migrations, models
from django.db.models.functions import Lower


def mark_proved_addresses(apps, schema_editor):
    """An account whose current address came back with a code (at registration or a change)
    has a proved address; the others are proved at their next change."""
    Account = apps.get_model("accounts", "Account")
    EmailCode = apps.get_model("factors", "EmailCode")
    for code in EmailCode.objects.filter(used_at__isnull=False).order_by("used_at").iterator():
        Account.objects.filter(user_id=code.subject, email_verified_at__isnull=True).annotate(
            lower=Lower("email")
        ).filter(lower=code.address.lower()).update(email_verified_at=code.used_at)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_move_staff_and_sessions"),
        ("factors", "0002_email_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="account",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_proved_addresses, migrations.RunPython.noop),
    ]
