from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.contact import ConsentSource
from models.imports import ImportStatus
from models.suppression import SuppressionSource
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Contact',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='contacts', on_delete=OnDelete.CASCADE)),
                ('phone', fields.CharField(null=True, max_length=16)),
                ('telegram_id', fields.BigIntField(null=True)),
                ('line_id', fields.CharField(null=True, max_length=64)),
                ('whatsapp', fields.CharField(null=True, max_length=16)),
                ('first_name', fields.CharField(null=True, max_length=128)),
                ('last_name', fields.CharField(null=True, max_length=128)),
                ('language', fields.CharField(null=True, max_length=8)),
                ('timezone', fields.CharField(null=True, max_length=64)),
                ('attributes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('tags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('consent_source', fields.CharEnumField(description='FILE_IMPORT: file_import\nOPT_IN_LINK: opt_in_link\nCONTACT_SHARE: contact_share', enum_type=ConsentSource, max_length=16)),
                ('consent_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('consent_by', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'contact', 'app': 'models', 'unique_together': (('member', 'phone'), ('member', 'telegram_id'), ('member', 'line_id')), 'pk_attr': 'id', 'table_description': 'One person a member may message. Unique per member by phone or by channel id.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContactList',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='lists', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=128)),
                ('tags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('opt_in_token', fields.CharField(unique=True, max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'contact_list', 'app': 'models', 'indexes': [Index(fields=['member_id', 'deleted_at'])], 'pk_attr': 'id', 'table_description': 'A named distribution list. A deleted list stays restorable until it is purged.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Download',
            fields=[
                ('token', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('name', fields.CharField(max_length=128)),
                ('content', fields.BinaryField()),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'download', 'app': 'models', 'pk_attr': 'token', 'table_description': 'A file behind an unguessable link, until it expires.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ImportJob',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='imports', on_delete=OnDelete.CASCADE)),
                ('contact_list', fields.ForeignKeyField('models.ContactList', source_field='contact_list_id', db_constraint=True, to_field='id', related_name='imports', on_delete=OnDelete.CASCADE)),
                ('file_name', fields.CharField(max_length=128)),
                ('status', fields.CharEnumField(default=ImportStatus.RUNNING, description='RUNNING: running\nDONE: done\nFAILED: failed', enum_type=ImportStatus, max_length=16)),
                ('rows_total', fields.IntField(null=True)),
                ('rows_read', fields.IntField(default=0)),
                ('created', fields.IntField(default=0)),
                ('merged', fields.IntField(default=0)),
                ('suppressed', fields.IntField(default=0)),
                ('invalid', fields.IntField(default=0)),
                ('problem', fields.CharField(null=True, max_length=32)),
                ('rejected_csv', fields.BinaryField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'import_job', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One import of an upload into a list, with the counts of its report.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ListMembership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact_list', fields.ForeignKeyField('models.ContactList', source_field='contact_list_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'list_membership', 'app': 'models', 'unique_together': (('contact_list', 'contact'),), 'pk_attr': 'id', 'table_description': 'A contact on a list. The same person on several lists is one contact.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Suppression',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', null=True, db_constraint=True, to_field='id', related_name='suppressions', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=80)),
                ('channel', fields.CharField(max_length=16)),
                ('source', fields.CharEnumField(description='KEYWORD: keyword\nPLATFORM_SIGNAL: platform_signal\nMEMBER: member\nOPERATOR: operator', enum_type=SuppressionSource, max_length=16)),
                ('detail', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'suppression', 'app': 'models', 'unique_together': (('member', 'key'),), 'pk_attr': 'id', 'table_description': 'One opted-out number or channel id. Kept after contacts and lists are deleted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Upload',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='uploads', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=128)),
                ('content', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'upload', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A file a member sent, kept until it is imported or expires (a day).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Member',
            name='display_name',
            field=fields.CharField(null=True, max_length=128),
        ),
    ]
