from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_inbound_replies')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ImportJob',
            name='heartbeat_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ImportJob',
            name='mapping',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='ImportJob',
            name='runs',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='ImportJob',
            name='upload_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='Upload',
            name='compressed',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Upload',
            name='rows',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Upload',
            name='size',
            field=fields.IntField(null=True),
        ),
    ]
