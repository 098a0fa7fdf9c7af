"""Kept empty so that databases which recorded it keep a valid migration history.

It used to create the ``staffgate_cache`` table of Django's database cache;
``0003_drop_cache_table`` removes that table where it still exists.
"""

from django.db import migrations


class Migration(migrations.Migration):
    operations = []
