from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from server.models.community import MemberState, Visibility
from server.models.events import RsvpAnswer
from server.models.posts import ArchiveReason, PostKind
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

# Full-text search is dialect-specific, so it is set up here rather than from the models:
# SQLite gets an FTS5 table kept in step with `search_doc` by triggers; PostgreSQL a
# generated tsvector column (Russian and English stems together) with a GIN index. On both,
# a trigger on `employee` keeps each person's searchable text (name, position, skills,
# interests, department and store names) current, whoever changes the row.
_PERSON_TEXT_SQLITE = (
    "new.name || ' ' || new.position || ' ' || coalesce(new.skills, '') || ' ' || "
    "coalesce(new.interests, '') || ' ' || "
    "coalesce((SELECT name FROM department WHERE id = new.department_id), '') || ' ' || "
    "coalesce((SELECT name FROM store WHERE id = new.store_id), '')"
)
_SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_doc', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN "
    "INSERT INTO search_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO search_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER employee_search_ai AFTER INSERT ON employee BEGIN "
    f"INSERT INTO search_doc (kind, ref_id, body) VALUES ('person', new.id, {_PERSON_TEXT_SQLITE}) "
    "ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body; END",
    "CREATE TRIGGER employee_search_au AFTER UPDATE OF name, position, skills, interests, "
    "department_id, store_id ON employee BEGIN "
    f"INSERT INTO search_doc (kind, ref_id, body) VALUES ('person', new.id, {_PERSON_TEXT_SQLITE}) "
    "ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body; END",
    "INSERT INTO search_doc (kind, ref_id, body) SELECT 'person', new.id, "
    + _PERSON_TEXT_SQLITE
    + " FROM employee AS new WHERE true ON CONFLICT (kind, ref_id) DO NOTHING",
]
_POSTGRES = [
    "ALTER TABLE search_doc ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('russian', body) || to_tsvector('english', body)) STORED",
    "CREATE INDEX search_doc_tsv ON search_doc USING gin (tsv)",
    """CREATE OR REPLACE FUNCTION plaza_person_doc() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_doc (kind, ref_id, body) VALUES ('person', NEW.id, concat_ws(' ',
    NEW.name, NEW.position, NEW.skills::text, NEW.interests::text,
    (SELECT name FROM department WHERE id = NEW.department_id),
    (SELECT name FROM store WHERE id = NEW.store_id)))
  ON CONFLICT (kind, ref_id) DO UPDATE SET body = EXCLUDED.body;
  RETURN NEW;
END $$""",
    "CREATE TRIGGER employee_search AFTER INSERT OR UPDATE OF name, position, skills, "
    "interests, department_id, store_id ON employee "
    "FOR EACH ROW EXECUTE FUNCTION plaza_person_doc()",
    "UPDATE employee SET name = name",
]


async def install_fulltext(apps, schema_editor) -> None:
    statements = _SQLITE if schema_editor.client.capabilities.dialect == "sqlite" else _POSTGRES
    for statement in statements:
        await schema_editor.client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('plaza', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ArchivedText',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post_id', fields.IntField()),
                ('comment_id', fields.IntField(null=True)),
                ('author_id', fields.IntField()),
                ('editor_id', fields.IntField()),
                ('reason', fields.CharEnumField(description='EDITED: edited\nDELETED: deleted', enum_type=ArchiveReason, max_length=8)),
                ('body', fields.TextField(unique=False)),
                ('written_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('archived_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'archived_text', 'app': 'plaza', 'indexes': [Index(fields=['post_id', 'id'])], 'pk_attr': 'id', 'table_description': 'Append-only: the text a post or comment had before an edit or a deletion. Nothing in'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Channel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('mandatory', fields.BooleanField(default=False)),
                ('created_by', fields.ForeignKeyField('plaza.Employee', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'channel', 'app': 'plaza', 'pk_attr': 'id', 'table_description': 'A company news channel run by comms. Mandatory channels reach every active employee'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChannelSubscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.ForeignKeyField('plaza.Channel', source_field='channel_id', db_constraint=True, to_field='id', related_name='subscriptions', on_delete=OnDelete.CASCADE)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'channel_subscription', 'app': 'plaza', 'unique_together': (('employee', 'channel'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Digest',
            fields=[
                ('day', fields.DateField(primary_key=True, unique=True, db_index=True)),
                ('post_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'digest', 'app': 'plaza', 'pk_attr': 'day'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DigestDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('employee_id', fields.IntField()),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'digest_delivery', 'app': 'plaza', 'unique_together': (('day', 'employee_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FeedMarker',
            fields=[
                ('employee_id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('last_seen_id', fields.IntField(default=0)),
            ],
            options={'table': 'feed_marker', 'app': 'plaza', 'pk_attr': 'employee_id', 'table_description': 'The newest post id an employee has seen at the top of the home feed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Follow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('follower', fields.ForeignKeyField('plaza.Employee', source_field='follower_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('followee', fields.ForeignKeyField('plaza.Employee', source_field='followee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'follow', 'app': 'plaza', 'unique_together': (('follower', 'followee'),), 'indexes': [Index(fields=['followee_id'])], 'pk_attr': 'id', 'table_description': "An employee follows a person: their blog (wall) posts reach the follower's feed."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Group',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('visibility', fields.CharEnumField(default=Visibility.PUBLIC, description='PUBLIC: public\nPRIVATE: private\nSECRET: secret', enum_type=Visibility, max_length=16)),
                ('member_count', fields.IntField(default=0)),
                ('created_by', fields.ForeignKeyField('plaza.Employee', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'community_group', 'app': 'plaza', 'indexes': [Index(fields=['visibility', 'name'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Event',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('html', fields.TextField(default='', unique=False)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('place', fields.CharField(default='', max_length=300)),
                ('url', fields.CharField(default='', max_length=500)),
                ('group', fields.ForeignKeyField('plaza.Group', source_field='group_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_by', fields.ForeignKeyField('plaza.Employee', source_field='created_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('invite_only', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('reminder_sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'event', 'app': 'plaza', 'indexes': [Index(fields=['starts_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EventInvite',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('plaza.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='invites', on_delete=OnDelete.CASCADE)),
                ('token', fields.CharField(max_length=40)),
            ],
            options={'table': 'event_invite', 'app': 'plaza', 'unique_together': (('event', 'token'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GroupMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('plaza.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('state', fields.CharEnumField(default=MemberState.MEMBER, description='MEMBER: member\nREQUESTED: requested\nINVITED: invited', enum_type=MemberState, max_length=16)),
                ('moderator', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'group_member', 'app': 'plaza', 'unique_together': (('employee', 'group'),), 'indexes': [Index(fields=['group_id', 'state'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=32)),
                ('payload', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('dedupe_key', fields.CharField(unique=True, max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'plaza', 'indexes': [Index(fields=['employee_id', 'id']), Index(fields=['employee_id', 'read_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Post',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(default=PostKind.POST, description='POST: post\nNEWS: news\nKUDOS: kudos', enum_type=PostKind, max_length=8)),
                ('stream', fields.CharField(max_length=24)),
                ('author', fields.ForeignKeyField('plaza.Employee', source_field='author_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('channel', fields.ForeignKeyField('plaza.Channel', source_field='channel_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('group', fields.ForeignKeyField('plaza.Group', source_field='group_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kudos_to', fields.ForeignKeyField('plaza.Employee', source_field='kudos_to_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('body', fields.TextField(unique=False)),
                ('html', fields.TextField(unique=False)),
                ('audience_all', fields.BooleanField(default=True)),
                ('pinned', fields.BooleanField(default=False)),
                ('pinned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('banner', fields.BooleanField(default=False)),
                ('needs_confirmation', fields.BooleanField(default=False)),
                ('comment_count', fields.IntField(default=0)),
                ('reaction_count', fields.IntField(default=0)),
                ('view_count', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('edited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'post', 'app': 'plaza', 'indexes': [Index(fields=['stream', 'id']), Index(fields=['pinned', 'stream']), Index(fields=['author_id', 'id']), Index(fields=['created_at'])], 'pk_attr': 'id', 'table_description': 'A post lives in exactly one stream: a channel ("c:<id>"), a group ("g:<id>") or its'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('plaza.Employee', source_field='owner_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('post', fields.ForeignKeyField('plaza.Post', source_field='post_id', null=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('media_type', fields.CharField(max_length=64)),
                ('size', fields.IntField()),
                ('path', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'attachment', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Comment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('plaza.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('plaza.Employee', source_field='author_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('parent', fields.ForeignKeyField('plaza.Comment', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('body', fields.TextField(unique=False)),
                ('html', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('edited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'comment', 'app': 'plaza', 'indexes': [Index(fields=['post_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Poll',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.OneToOneField('plaza.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='poll', on_delete=OnDelete.CASCADE)),
                ('question', fields.CharField(max_length=300)),
                ('multiple', fields.BooleanField(default=False)),
                ('anonymous', fields.BooleanField(default=False)),
                ('closes_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'poll', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PollAnswer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('poll', fields.ForeignKeyField('plaza.Poll', source_field='poll_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'poll_answer', 'app': 'plaza', 'unique_together': (('poll', 'employee'),), 'pk_attr': 'id', 'table_description': 'One per employee and poll (a unique constraint), with the choices hanging off it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PollOption',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('poll', fields.ForeignKeyField('plaza.Poll', source_field='poll_id', db_constraint=True, to_field='id', related_name='options', on_delete=OnDelete.CASCADE)),
                ('text', fields.CharField(max_length=200)),
                ('position', fields.IntField()),
            ],
            options={'table': 'poll_option', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PollChoice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('answer', fields.ForeignKeyField('plaza.PollAnswer', source_field='answer_id', db_constraint=True, to_field='id', related_name='choices', on_delete=OnDelete.CASCADE)),
                ('option', fields.ForeignKeyField('plaza.PollOption', source_field='option_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'poll_choice', 'app': 'plaza', 'unique_together': (('answer', 'option'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostAudience',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('plaza.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='audience', on_delete=OnDelete.CASCADE)),
                ('token', fields.CharField(max_length=40)),
            ],
            options={'table': 'post_audience', 'app': 'plaza', 'unique_together': (('post', 'token'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostView',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('plaza.Post', source_field='post_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'post_view', 'app': 'plaza', 'unique_together': (('post', 'employee'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Reaction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('plaza.Post', source_field='post_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('emoji', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reaction', 'app': 'plaza', 'unique_together': (('post', 'employee', 'emoji'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReadConfirmation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('plaza.Post', source_field='post_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'read_confirmation', 'app': 'plaza', 'unique_together': (('post', 'employee'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rsvp',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('plaza.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='rsvps', on_delete=OnDelete.CASCADE)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('answer', fields.CharEnumField(description='GOING: going\nMAYBE: maybe\nDECLINED: declined', enum_type=RsvpAnswer, max_length=8)),
                ('attended', fields.BooleanField(default=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'rsvp', 'app': 'plaza', 'unique_together': (('event', 'employee'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SearchDoc',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=8)),
                ('ref_id', fields.IntField()),
                ('post_id', fields.IntField(null=True)),
                ('body', fields.TextField(unique=False)),
            ],
            options={'table': 'search_doc', 'app': 'plaza', 'unique_together': (('kind', 'ref_id'),), 'pk_attr': 'id', 'table_description': 'One searchable text: a post, a comment, a person or a group. Full-text indexing is'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Segment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('tokens', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_by', fields.ForeignKeyField('plaza.Employee', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'segment', 'app': 'plaza', 'pk_attr': 'id', 'table_description': 'A saved audience: a named set of tokens ("region:3", "role:manager", ...).'},
            bases=['Model'],
        ),
        ops.RunPython(install_fulltext),
    ]
