from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from server.models.content import ScheduleState
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('plaza', '0006_audit')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ConfirmationReminder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post_id', fields.IntField(unique=True)),
                ('sent_by_id', fields.IntField()),
                ('recipients', fields.IntField(default=0)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'confirmation_reminder', 'app': 'plaza', 'pk_attr': 'id', 'table_description': 'The one reminder a post requiring confirmation may send (unique per post).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScheduledPost',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('author', fields.ForeignKeyField('plaza.Employee', source_field='author_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('payload', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('publish_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('state', fields.CharEnumField(default=ScheduleState.SCHEDULED, description='SCHEDULED: scheduled\nPUBLISHED: published\nCANCELLED: cancelled', enum_type=ScheduleState, max_length=10)),
                ('post_id', fields.IntField(null=True)),
                ('error', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'scheduled_post', 'app': 'plaza', 'indexes': [Index(fields=['state', 'publish_at'])], 'pk_attr': 'id', 'table_description': 'A post written now and published by the worker at `publish_at`. The worker claims a'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Digest',
            name='edited_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Digest',
            name='edited_by_id',
            field=fields.IntField(null=True),
        ),
    ]
