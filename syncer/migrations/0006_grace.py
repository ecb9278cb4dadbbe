from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("syncer", "0005_beat"),
    ]

    operations = [
        migrations.AddField(
            model_name="runpolicy",
            name="grace_us",
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]
