from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_member_keywords')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CampaignImage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='campaign_images', on_delete=OnDelete.CASCADE)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('mime_type', fields.CharField(max_length=32)),
                ('content', fields.BinaryField()),
                ('preview', fields.BinaryField()),
                ('telegram_file_id', fields.CharField(null=True, max_length=256)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'campaign_image', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The picture a campaign carries above its text, as the member uploaded it.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Campaign',
            name='image',
            field=fields.ForeignKeyField('models.CampaignImage', source_field='image_id', null=True, db_constraint=True, to_field='id', related_name='campaigns', on_delete=OnDelete.SET_NULL),
        ),
    ]
