from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('plaza', '0008_merge')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ContestClose',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contest_id', fields.CharField(unique=True, max_length=64)),
                ('ruleset_version', fields.CharField(max_length=64)),
                ('state', fields.CharField(default='settling', max_length=16)),
                ('participant_count', fields.IntField(default=0)),
                ('winners', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('prizes', fields.IntField(default=0)),
                ('settled', fields.IntField(default=0)),
                ('announcement_post_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('settled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'contest_close', 'app': 'plaza', 'pk_attr': 'id', 'table_description': "A contest past its `final_at`: the close's progress and its result. The row is made"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContestPrize',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=80)),
                ('contest_id', fields.CharField(db_index=True, max_length=64)),
                ('user_id', fields.IntField(db_index=True)),
                ('participant', fields.CharField(max_length=64)),
                ('prize', fields.IntField()),
                ('place', fields.IntField()),
                ('of', fields.IntField()),
                ('texts', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'contest_prize', 'app': 'plaza', 'pk_attr': 'id', 'table_description': "One prize to one person: its id is the ledger transfers' common key, and its texts"},
            bases=['Model'],
        ),
    ]
