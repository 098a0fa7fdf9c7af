from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("worker", models.CharField(max_length=200, unique=True)),
                ("beat_at", models.DateTimeField(db_index=True)),
                ("started_at", models.DateTimeField()),
            ],
            options={"verbose_name": "worker heartbeat"},
        ),
    ]
