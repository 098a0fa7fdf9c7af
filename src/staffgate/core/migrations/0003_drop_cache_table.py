"""Drop the database cache table: nothing reads Django's cache from the database any more."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0002_throttle_count")]

    operations = [
        # IF EXISTS: databases created after the table was retired never had it.
        migrations.RunSQL("DROP TABLE IF EXISTS staffgate_cache", migrations.RunSQL.noop),
    ]
