from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.campaign import CampaignStatus
from models.member import MemberStatus
from models.operator import NoticeKind, RuleKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# The enums' new members change only the columns' comments: see AlterFieldState.
from models.migrations._operations import AlterFieldState, AppendOnly

class Migration(migrations.Migration):
    dependencies = [('models', '0011_retention_and_deletion')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Announcement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='SERVICE: service\nBREACH: breach\nPROMOTIONAL: promotional', enum_type=NoticeKind, max_length=16)),
                ('text', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(max_length=80)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'announcement', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A message from the operator to the members.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Appeal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='appeals', on_delete=OnDelete.CASCADE)),
                ('text', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answered_by', fields.CharField(null=True, max_length=80)),
                ('answer', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'appeal', 'app': 'models', 'pk_attr': 'id', 'table_description': "A suspended member's request for a personal review, and the operator's answer."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('operator', fields.CharField(max_length=80)),
                ('member_id', fields.IntField()),
                ('action', fields.CharField(max_length=32)),
                ('subject', fields.CharField(null=True, max_length=64)),
                ('reason', fields.TextField(unique=False)),
            ],
            options={'table': 'audit_entry', 'app': 'models', 'indexes': [Index(fields=['member_id', 'at'])], 'pk_attr': 'id', 'table_description': "An operator's access to a member's data or action on their account: who, what, when,"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NoticeDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('announcement', fields.ForeignKeyField('models.Announcement', source_field='announcement_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('member_id', fields.IntField()),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('chats', fields.SmallIntField(default=0)),
            ],
            options={'table': 'notice_delivery', 'app': 'models', 'unique_together': (('announcement', 'member_id'),), 'indexes': [Index(fields=['member_id'])], 'pk_attr': 'id', 'table_description': "One member's copy of an announcement and when it reached them (None: not yet, or none"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScreeningRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='PHRASE: phrase\nCREDENTIALS: credentials\nSHORTENER: shortener\nBRAND: brand\nCAPITALS: capitals\nSYMBOLS: symbols', enum_type=RuleKind, max_length=16)),
                ('value', fields.CharField(max_length=256)),
                ('locale', fields.CharField(null=True, max_length=8)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(null=True, max_length=80)),
            ],
            options={'table': 'screening_rule', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One screening rule: data the operator edits in chat, not code.'},
            bases=['Model'],
        ),
        AlterFieldState(
            model_name='Campaign',
            name='status',
            field=fields.CharEnumField(default=CampaignStatus.DRAFT, description='DRAFT: draft\nSCHEDULED: scheduled\nRUNNING: running\nPAUSED: paused\nFINISHED: finished\nREVIEW: review\nCANCELLED: cancelled\nFAILED: failed', enum_type=CampaignStatus, max_length=16),
        ),
        ops.AddField(
            model_name='Campaign',
            name='findings',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Campaign',
            name='hold_reason',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Campaign',
            name='review_note',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Campaign',
            name='reviewed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        AlterFieldState(
            model_name='Member',
            name='status',
            field=fields.CharEnumField(default=MemberStatus.ONBOARDING, description='ONBOARDING: onboarding\nACTIVE: active\nDELETED: deleted\nSUSPENDED: suspended', enum_type=MemberStatus, max_length=16),
        ),
        ops.AddField(
            model_name='Member',
            name='promotions',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='Member',
            name='suspended_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Member',
            name='suspended_reason',
            field=fields.TextField(null=True, unique=False),
        ),
        AppendOnly('audit_entry'),
    ]
