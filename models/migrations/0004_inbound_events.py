from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_campaigns')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InboundEvent',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=160)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'inbound_event', 'app': 'models', 'indexes': [Index(fields=['received_at'])], 'pk_attr': 'key', 'table_description': 'One event\'s platform id ("telegram:update:123", "line:01H...", "whatsapp:msg:wamid...").'},
            bases=['Model'],
        ),
    ]
