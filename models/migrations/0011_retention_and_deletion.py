from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.member import MemberStatus
from models.suppression import SuppressionSource
from tortoise import fields

# The enums' new members change only the columns' comments: see AlterFieldState.
from models.migrations._operations import AlterFieldState

class Migration(migrations.Migration):
    dependencies = [('models', '0010_usage_records')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ForgottenOptOut',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account_hash', fields.CharField(db_index=True, max_length=64)),
                ('key_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'forgotten_opt_out', 'app': 'models', 'unique_together': (('account_hash', 'key_hash'),), 'pk_attr': 'id', 'table_description': 'An opt-out of a purged member, kept as keyed hashes only: of the address, and of each'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceSecret',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('value', fields.CharField(max_length=128)),
            ],
            options={'table': 'service_secret', 'app': 'models', 'pk_attr': 'name', 'table_description': 'A secret the installation made for itself (see services/privacy/hashing.py).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Campaign',
            name='archived_counts',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        AlterFieldState(
            model_name='Member',
            name='status',
            field=fields.CharEnumField(default=MemberStatus.ONBOARDING, description='ONBOARDING: onboarding\nACTIVE: active\nDELETED: deleted', enum_type=MemberStatus, max_length=16),
        ),
        ops.AddField(
            model_name='Member',
            name='deleted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Member',
            name='inherited_opt_outs',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Member',
            name='terms_announced',
            field=fields.CharField(null=True, max_length=32),
        ),
        AlterFieldState(
            model_name='Suppression',
            name='source',
            field=fields.CharEnumField(description='KEYWORD: keyword\nPLATFORM_SIGNAL: platform_signal\nMEMBER: member\nOPERATOR: operator\nPURGED_ACCOUNT: purged_account', enum_type=SuppressionSource, max_length=16),
        ),
    ]
