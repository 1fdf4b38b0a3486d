from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.campaign import CampaignStatus, Channel, DeliveryStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_lists')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='campaigns', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=128)),
                ('status', fields.CharEnumField(default=CampaignStatus.DRAFT, description='DRAFT: draft\nSCHEDULED: scheduled\nRUNNING: running\nPAUSED: paused\nFINISHED: finished\nCANCELLED: cancelled\nFAILED: failed', enum_type=CampaignStatus, max_length=16)),
                ('list_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('tag', fields.CharField(null=True, max_length=64)),
                ('text', fields.TextField(default='', unique=False)),
                ('channels', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('whatsapp_template', fields.CharField(null=True, max_length=512)),
                ('whatsapp_language', fields.CharField(null=True, max_length=16)),
                ('whatsapp_params', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('scheduled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('quiet_start', fields.SmallIntField(null=True)),
                ('quiet_end', fields.SmallIntField(null=True)),
                ('error', fields.CharField(null=True, max_length=64)),
                ('audience_ready', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'campaign', 'app': 'models', 'indexes': [Index(fields=['member_id', 'created_at']), Index(fields=['status', 'scheduled_at'])], 'pk_attr': 'id', 'table_description': 'A message a member sends to their lists on the channels they chose.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('campaign', fields.ForeignKeyField('models.Campaign', source_field='campaign_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.SET_NULL)),
                ('channel', fields.CharEnumField(null=True, description='TELEGRAM: telegram\nLINE: line\nWHATSAPP: whatsapp', enum_type=Channel, max_length=16)),
                ('fell_back_from', fields.CharField(null=True, max_length=64)),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, description='PENDING: pending\nSENDING: sending\nSENT: sent\nDELIVERED: delivered\nREAD: read\nFAILED: failed\nSKIPPED: skipped\nAMBIGUOUS: ambiguous\nCANCELLED: cancelled', enum_type=DeliveryStatus, max_length=16)),
                ('attempts', fields.SmallIntField(default=0)),
                ('not_before', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('message_id', fields.CharField(null=True, max_length=128)),
                ('error_code', fields.CharField(null=True, max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'delivery', 'app': 'models', 'unique_together': (('campaign', 'contact'),), 'indexes': [Index(fields=['campaign_id', 'status']), Index(fields=['message_id'])], 'pk_attr': 'id', 'table_description': 'One recipient of one campaign: the channel chosen, what happened, when.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Contact',
            name='unreachable',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
