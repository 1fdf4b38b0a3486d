from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_sealed_contacts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='NoticeDelivery',
            name='tried_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # Rows tried before were marked by chats = -1 (or delivered): they keep their claim,
        # dated at best by the delivery, else by the announcement.
        ops.RunSQL(
            [
                "UPDATE notice_delivery SET tried_at = COALESCE(delivered_at, (SELECT a.created_at "
                "FROM announcement a WHERE a.id = notice_delivery.announcement_id)) "
                "WHERE chats <> 0 OR delivered_at IS NOT NULL",
                "UPDATE notice_delivery SET chats = 0 WHERE chats < 0",
            ],
            reverse_sql=ops.RunSQL.noop,
        ),
    ]
