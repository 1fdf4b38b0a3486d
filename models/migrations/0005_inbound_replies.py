from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_inbound_events')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InboundReply',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.SET_NULL)),
                ('channel', fields.CharField(max_length=16)),
                ('address', fields.CharField(max_length=64)),
                ('text', fields.TextField(unique=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'inbound_reply', 'app': 'models', 'indexes': [Index(fields=['member_id', 'received_at'])], 'pk_attr': 'id', 'table_description': 'One message a recipient sent, addressed to the member whose campaign reached them.'},
            bases=['Model'],
        ),
    ]
