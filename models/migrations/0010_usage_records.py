from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_campaign_image')]

    initial = False

    operations = [
        ops.CreateModel(
            name='UsageRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member_id', fields.IntField()),
                ('campaign_id', fields.IntField(null=True)),
                ('delivery_id', fields.BigIntField(null=True)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('channel', fields.CharField(max_length=16)),
                ('account', fields.CharField(max_length=64)),
                ('recipient', fields.CharField(max_length=64)),
                ('units', fields.SmallIntField()),
                ('status', fields.CharField(max_length=16)),
            ],
            options={'table': 'usage_record', 'app': 'models', 'indexes': [Index(fields=['member_id', 'sent_at']), Index(fields=['sent_at'])], 'pk_attr': 'id', 'table_description': 'What one send cost: when, from which account, to whom, how many units, how it went.'},
            bases=['Model'],
        ),
    ]
