from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

# Never an AlterField on `contact`: Tortoise's SQLite editor would rebuild it, and the DROP
# cascades to every list membership and delivery (see _operations.py). The sealed phone gets
# a column of its own (the old one is in a UNIQUE only a rebuild could drop). The rows are
# sealed after the migration by bot/sealing.py, which needs the key only the running process
# has.
from models.migrations._operations import NewColumnFor, RemoveConstraintState, WidenToText

class Migration(migrations.Migration):
    dependencies = [('models', '0012_operator')]

    initial = False

    operations = [
        RemoveConstraintState(
            model_name='Contact',
            name=None,
            fields=['member', 'phone'],
        ),
        WidenToText(
            model_name='Contact',
            name='first_name',
            table='contact',
            field=fields.TextField(null=True, unique=False),
        ),
        WidenToText(
            model_name='Contact',
            name='last_name',
            table='contact',
            field=fields.TextField(null=True, unique=False),
        ),
        NewColumnFor(
            model_name='Contact',
            name='phone',
            table='contact',
            column='sealed_phone',
            field=fields.TextField(null=True, source_field='sealed_phone', unique=False),
        ),
        WidenToText(
            model_name='Contact',
            name='whatsapp',
            table='contact',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Contact',
            name='key_version',
            field=fields.SmallIntField(default=1, db_default=0),
        ),
        ops.AddField(
            model_name='Contact',
            name='phone_hash',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Contact',
            name='whatsapp_hash',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddConstraint(
            model_name='Contact',
            constraint=UniqueConstraint(fields=('member', 'phone_hash'), name=None),
        ),
        ops.AddField(
            model_name='Suppression',
            name='address',
            field=fields.TextField(null=True, unique=False),
        ),
        WidenToText(
            model_name='InboundReply',
            name='address',
            table='inbound_reply',
            field=fields.TextField(unique=False),
        ),
        WidenToText(
            model_name='UsageRecord',
            name='recipient',
            table='usage_record',
            field=fields.TextField(unique=False),
        ),
        ops.AddField(
            model_name='Download',
            name='sealed',
            field=fields.BooleanField(default=True, db_default=False),
        ),
        ops.AddField(
            model_name='ImportJob',
            name='sealed',
            field=fields.BooleanField(default=True, db_default=False),
        ),
        ops.AddField(
            model_name='Upload',
            name='sealed',
            field=fields.BooleanField(default=True, db_default=False),
        ),
    ]
