from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_import_resume')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Campaign',
            name='reported_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # Campaigns that ended before reports were tracked were reported then (or never will
        # be wanted): not sent again by the first report-ended-campaigns run.
        ops.RunSQL(
            "UPDATE campaign SET reported_at = finished_at "
            "WHERE status IN ('finished', 'cancelled', 'failed')",
            reverse_sql="SELECT 1",
        ),
    ]
