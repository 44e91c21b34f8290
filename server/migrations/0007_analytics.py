from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('plaza', '0006_audit')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DailyCell',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('dimension', fields.CharField(max_length=16)),
                ('key', fields.CharField(max_length=32)),
                ('active', fields.IntField(default=0)),
                ('sessions', fields.IntField(default=0)),
                ('session_seconds', fields.BigIntField(default=0)),
                ('views', fields.IntField(default=0)),
                ('posts', fields.IntField(default=0)),
                ('comments', fields.IntField(default=0)),
                ('reactions', fields.IntField(default=0)),
                ('confirmations', fields.IntField(default=0)),
                ('engaged', fields.IntField(default=0)),
                ('authors', fields.IntField(default=0)),
                ('new', fields.IntField(default=0)),
                ('returning', fields.IntField(default=0)),
                ('phone', fields.IntField(default=0)),
                ('web', fields.IntField(default=0)),
                ('wau', fields.IntField(default=0)),
                ('mau', fields.IntField(default=0)),
            ],
            options={'table': 'analytics_daily', 'app': 'plaza', 'unique_together': (('day', 'dimension', 'key'),), 'indexes': [Index(fields=['dimension', 'day'])], 'pk_attr': 'id', 'table_description': 'The figures of one breakdown cell (dimension, key) on one local day.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Goal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('metric', fields.CharField(max_length=32)),
                ('period', fields.CharField(max_length=8)),
                ('target', fields.FloatField()),
                ('set_by_id', fields.IntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'analytics_goal', 'app': 'plaza', 'unique_together': (('metric', 'period'),), 'pk_attr': 'id', 'table_description': 'A target for one headline figure over a kind of period (week, month, quarter, year).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PersonDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField(db_index=True)),
                ('employee_id', fields.IntField()),
                ('sessions', fields.IntField(default=0)),
                ('session_seconds', fields.IntField(default=0)),
                ('views', fields.IntField(default=0)),
                ('posts', fields.IntField(default=0)),
                ('comments', fields.IntField(default=0)),
                ('reactions', fields.IntField(default=0)),
                ('confirmations', fields.IntField(default=0)),
                ('actions', fields.IntField(default=0)),
                ('phone', fields.BooleanField(default=False)),
                ('web', fields.BooleanField(default=False)),
                ('new', fields.BooleanField(default=False)),
                ('store', fields.CharField(default='', max_length=32)),
                ('city', fields.CharField(default='', max_length=32)),
                ('region', fields.CharField(default='', max_length=32)),
                ('department', fields.CharField(default='', max_length=32)),
                ('role', fields.CharField(default='', max_length=16)),
            ],
            options={'table': 'analytics_person_day', 'app': 'plaza', 'unique_together': (('day', 'employee_id'),), 'pk_attr': 'id', 'table_description': "One person's figures on one local day they were active (rolled up from raw rows)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostStat',
            fields=[
                ('post_id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField(db_index=True)),
                ('channel_id', fields.IntField(null=True)),
                ('group_id', fields.IntField(null=True)),
                ('mandatory', fields.BooleanField(default=False)),
                ('audience', fields.IntField(default=0)),
                ('viewers', fields.IntField(default=0)),
                ('reactions', fields.IntField(default=0)),
                ('comments', fields.IntField(default=0)),
                ('confirmations', fields.IntField(default=0)),
                ('needs_confirmation', fields.BooleanField(default=False)),
            ],
            options={'table': 'analytics_post', 'app': 'plaza', 'pk_attr': 'post_id', 'table_description': "A recent post's reach, kept current by the roll-up (the pages read this, never the"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RewardCell',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('metric', fields.CharField(max_length=24)),
                ('key', fields.CharField(default='', max_length=64)),
                ('value', fields.BigIntField(default=0)),
            ],
            options={'table': 'analytics_reward_day', 'app': 'plaza', 'unique_together': (('day', 'metric', 'key'),), 'pk_attr': 'id', 'table_description': 'One rewards figure on one local day, company-wide, by key (a rule, a prize...).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RolledDay',
            fields=[
                ('day', fields.DateField(primary_key=True, unique=True, db_index=True)),
                ('fingerprint', fields.CharField(max_length=128)),
                ('rolled_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'analytics_rolled_day', 'app': 'plaza', 'pk_attr': 'day', 'table_description': 'A day that has been rolled up, and a fingerprint of the raw rows it was rolled from:'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Visit',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('employee_id', fields.IntField()),
                ('started_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('phone', fields.BooleanField(default=False)),
            ],
            options={'table': 'analytics_visit', 'app': 'plaza', 'pk_attr': 'id', 'table_description': "One app visit (a tab's stretch of use), kept alive by the app's heartbeat."},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='ActivityEvent',
            index=Index(fields=['at']),
        ),
    ]
