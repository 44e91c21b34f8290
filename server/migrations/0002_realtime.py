from tortoise import migrations
from tortoise.migrations import operations as ops
from server.models.chat import ChatArchiveAction, ChatKind
from server.models.stories import StoryKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('plaza', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Chat',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='DIRECT: direct\nGROUP: group', enum_type=ChatKind, max_length=8)),
                ('title', fields.CharField(default='', max_length=200)),
                ('direct_key', fields.CharField(null=True, unique=True, max_length=40)),
                ('created_by', fields.ForeignKeyField('plaza.Employee', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='created_chats', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_message_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'chat', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat', fields.ForeignKeyField('plaza.Chat', source_field='chat_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name='chat_memberships', on_delete=OnDelete.CASCADE)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_read_id', fields.BigIntField(default=0)),
            ],
            options={'table': 'chat_member', 'app': 'plaza', 'unique_together': (('chat', 'employee'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat', fields.ForeignKeyField('plaza.Chat', source_field='chat_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('plaza.Employee', source_field='author_id', db_constraint=True, to_field='id', related_name='chat_messages', on_delete=OnDelete.CASCADE)),
                ('body', fields.TextField(default='', unique=False)),
                ('sticker', fields.CharField(null=True, max_length=64)),
                ('attachment_path', fields.CharField(null=True, max_length=255)),
                ('attachment_name', fields.CharField(null=True, max_length=200)),
                ('attachment_type', fields.CharField(null=True, max_length=100)),
                ('attachment_size', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('edited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'chat_message', 'app': 'plaza', 'indexes': [Index(fields=['chat_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatMessageArchive',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message_id', fields.BigIntField()),
                ('chat_id', fields.IntField()),
                ('author_id', fields.IntField()),
                ('action', fields.CharEnumField(description='EDIT: edit\nDELETE: delete', enum_type=ChatArchiveAction, max_length=8)),
                ('body', fields.TextField(default='', unique=False)),
                ('sticker', fields.CharField(null=True, max_length=64)),
                ('attachment_name', fields.CharField(null=True, max_length=200)),
                ('original_created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('archived_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('by_id', fields.IntField()),
            ],
            options={'table': 'chat_message_archive', 'app': 'plaza', 'indexes': [Index(fields=['message_id']), Index(fields=['chat_id', 'archived_at'])], 'pk_attr': 'id', 'table_description': 'The text as it was before an edit or a deletion, readable by moderators and admins.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Story',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('author', fields.ForeignKeyField('plaza.Employee', source_field='author_id', db_constraint=True, to_field='id', related_name='stories', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='IMAGE: image\nTEXT: text', enum_type=StoryKind, max_length=8)),
                ('text', fields.CharField(default='', max_length=500)),
                ('background', fields.CharField(default='#3b5bdb', max_length=16)),
                ('image_path', fields.CharField(null=True, max_length=255)),
                ('image_type', fields.CharField(null=True, max_length=32)),
                ('pinned', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'story', 'app': 'plaza', 'indexes': [Index(fields=['expires_at']), Index(fields=['author_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StoryView',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('story', fields.ForeignKeyField('plaza.Story', source_field='story_id', db_constraint=True, to_field='id', related_name='views', on_delete=OnDelete.CASCADE)),
                ('viewer', fields.ForeignKeyField('plaza.Employee', source_field='viewer_id', db_constraint=True, to_field='id', related_name='story_views', on_delete=OnDelete.CASCADE)),
                ('viewed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'story_view', 'app': 'plaza', 'unique_together': (('story', 'viewer'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
