from tortoise import migrations
from tortoise.migrations import operations as ops
from models.member import MemberStatus, Platform
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('status', fields.CharEnumField(default=MemberStatus.ONBOARDING, description='ONBOARDING: onboarding\nACTIVE: active', enum_type=MemberStatus, max_length=16)),
                ('locale', fields.CharField(default='en', max_length=8)),
                ('timezone', fields.CharField(default='UTC', max_length=64)),
                ('terms_version', fields.CharField(null=True, max_length=32)),
                ('terms_accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'member', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A business using Broadside. One member may chat from several linked accounts.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('platform', fields.CharEnumField(description='TELEGRAM: telegram\nLINE: line', enum_type=Platform, max_length=16)),
                ('external_id', fields.CharField(max_length=64)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.CASCADE)),
                ('display_name', fields.CharField(null=True, max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chat_account', 'app': 'models', 'unique_together': (('platform', 'external_id'),), 'pk_attr': 'id', 'table_description': 'One identity on one chat platform (a Telegram user id, a LINE user id).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LinkCode',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=16)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='link_codes', on_delete=OnDelete.CASCADE)),
                ('platform', fields.CharEnumField(description='TELEGRAM: telegram\nLINE: line', enum_type=Platform, max_length=16)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'link_code', 'app': 'models', 'pk_attr': 'code', 'table_description': 'A one-time code that joins a chat account on another platform to a member.'},
            bases=['Model'],
        ),
    ]
