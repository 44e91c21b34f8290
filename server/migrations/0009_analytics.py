from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

async def fill_spans(apps, schema_editor) -> None:
    """The spans of the days rolled up before this migration (server/analytics/spans.py)."""
    from server.analytics import spans

    await spans.backfill(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [('plaza', '0008_merge')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SpanCell',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('level', fields.SmallIntField()),
                ('start', fields.DateField()),
                ('dimension', fields.CharField(max_length=16)),
                ('key', fields.CharField(max_length=32)),
                ('people', fields.IntField(default=0)),
                ('active', fields.BigIntField(default=0)),
                ('sessions', fields.BigIntField(default=0)),
                ('session_seconds', fields.BigIntField(default=0)),
                ('views', fields.BigIntField(default=0)),
                ('posts', fields.BigIntField(default=0)),
                ('comments', fields.BigIntField(default=0)),
                ('reactions', fields.BigIntField(default=0)),
                ('confirmations', fields.BigIntField(default=0)),
                ('engaged', fields.BigIntField(default=0)),
                ('authors', fields.BigIntField(default=0)),
                ('new', fields.BigIntField(default=0)),
                ('returning', fields.BigIntField(default=0)),
                ('phone', fields.BigIntField(default=0)),
                ('web', fields.BigIntField(default=0)),
            ],
            options={'table': 'analytics_span', 'app': 'plaza', 'unique_together': (('dimension', 'level', 'start', 'key'),), 'indexes': [Index(fields=['level', 'start'])], 'pk_attr': 'id', 'table_description': "One breakdown cell's daily figures summed over 2^level aligned days"},
            bases=['Model'],
        ),
        ops.RunPython(fill_spans),
    ]
