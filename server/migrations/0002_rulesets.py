from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('plaza', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RulesetVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.CharField(unique=True, max_length=64)),
                ('text', fields.TextField(unique=False)),
                ('author_id', fields.IntField(null=True)),
                ('message', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ruleset_version', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RulesetPublication',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ruleset', fields.ForeignKeyField('plaza.RulesetVersion', source_field='ruleset_id', db_constraint=True, to_field='id', related_name='publications', on_delete=OnDelete.RESTRICT)),
                ('action', fields.CharField(max_length=16)),
                ('published_by_id', fields.IntField(null=True)),
                ('message', fields.CharField(default='', max_length=500)),
                ('published_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ruleset_publication', 'app': 'plaza', 'pk_attr': 'id', 'table_description': 'The ruleset live from `published_at` on, until the next publication. Never updated:'},
            bases=['Model'],
        ),
    ]
