from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from server.models.moderation import CaseStatus, ItemKind, ReportOutcome
from server.moderation.words import Action, Kind
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('plaza', '0006_audit')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ModerationCase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='POST: post\nCOMMENT: comment\nMESSAGE: message\nSTORY: story', enum_type=ItemKind, max_length=8)),
                ('target_id', fields.IntField()),
                ('author_id', fields.IntField()),
                ('post_id', fields.IntField(null=True)),
                ('chat_id', fields.IntField(null=True)),
                ('excerpt', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=CaseStatus.OPEN, description='OPEN: open\nHELD: held\nHIDDEN: hidden\nDELETED: deleted\nRESOLVED: resolved', enum_type=CaseStatus, max_length=8)),
                ('flags', fields.IntField(default=0)),
                ('reports', fields.IntField(default=0)),
                ('priority', fields.FloatField(default=0)),
                ('matched', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('warned', fields.BooleanField(default=False)),
                ('decided_by_id', fields.IntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'moderation_case', 'app': 'plaza', 'unique_together': (('kind', 'target_id'),), 'indexes': [Index(fields=['status', 'priority'])], 'pk_attr': 'id', 'table_description': "One per reported or flagged item: the queue's row. `priority` is recomputed on each"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Mute',
            fields=[
                ('employee_id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('by_id', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'moderation_mute', 'app': 'plaza', 'pk_attr': 'employee_id', 'table_description': 'Until `until`, the employee cannot post, comment or chat.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Report',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('plaza.ModerationCase', source_field='case_id', db_constraint=True, to_field='id', related_name='report_rows', on_delete=OnDelete.CASCADE)),
                ('reporter_id', fields.IntField()),
                ('reason', fields.CharField(max_length=500)),
                ('outcome', fields.CharEnumField(null=True, description='UPHELD: upheld\nDISMISSED: dismissed', enum_type=ReportOutcome, max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'moderation_report', 'app': 'plaza', 'unique_together': (('case', 'reporter_id'),), 'indexes': [Index(fields=['reporter_id', 'outcome'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WatchedWord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('pattern', fields.CharField(max_length=200)),
                ('kind', fields.CharEnumField(description='WORD: word\nPHRASE: phrase\nWILDCARD: wildcard\nREGEX: regex', enum_type=Kind, max_length=8)),
                ('action', fields.CharEnumField(description='CENSOR: censor\nFLAG: flag\nHOLD: hold\nBLOCK: block', enum_type=Action, max_length=8)),
                ('note', fields.CharField(default='', max_length=200)),
                ('created_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'watched_word', 'app': 'plaza', 'unique_together': (('pattern', 'kind'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
