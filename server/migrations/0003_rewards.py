from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('plaza', '0002_rulesets')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BadgeAward',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('user_id', fields.IntField(db_index=True)),
                ('badge_id', fields.CharField(max_length=64)),
                ('kind', fields.CharField(max_length=16)),
                ('tier', fields.CharField(null=True, max_length=16)),
                ('title', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('topic', fields.CharField(null=True, db_index=True, max_length=64)),
                ('rule_id', fields.CharField(null=True, max_length=64)),
                ('event_id', fields.CharField(null=True, max_length=32)),
                ('given_by_id', fields.IntField(null=True)),
                ('reason', fields.TextField(default='', unique=False)),
                ('unique_key', fields.CharField(null=True, unique=True, max_length=160)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'badge_award', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LedgerAccount',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=128)),
                ('currency', fields.CharField(max_length=64)),
                ('owner_id', fields.IntField(null=True)),
                ('balance', fields.BigIntField(default=0)),
                ('never_negative', fields.BooleanField(default=False)),
            ],
            options={'table': 'ledger_account', 'app': 'plaza', 'indexes': [Index(fields=['currency', 'owner_id'])], 'pk_attr': 'id', 'table_description': "`balance` is the sum of credits minus debits of the account's transfers, kept in the"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LedgerBatch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ranked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ledger_batch', 'app': 'plaza', 'indexes': [Index(fields=['ranked_at', 'created_at'])], 'pk_attr': 'id', 'table_description': 'The transfers posted together (one settlement batch, one spin). `ranked_at` is set'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LedgerLane',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('n', fields.BigIntField(default=0)),
            ],
            options={'table': 'ledger_lane', 'app': 'plaza', 'pk_attr': 'id', 'table_description': 'One row per lane. Settlement updates it first in its transaction: on PostgreSQL the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LedgerTransfer',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('kind', fields.CharField(max_length=16)),
                ('currency', fields.CharField(max_length=64)),
                ('debit_id', fields.CharField(max_length=128)),
                ('credit_id', fields.CharField(max_length=128)),
                ('amount', fields.BigIntField()),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('user_id', fields.IntField(null=True)),
                ('actor_id', fields.IntField(null=True)),
                ('event_id', fields.CharField(null=True, max_length=32)),
                ('rule_id', fields.CharField(null=True, max_length=64)),
                ('ruleset_version', fields.CharField(null=True, max_length=64)),
                ('ref', fields.CharField(null=True, max_length=80)),
                ('reversible', fields.BooleanField(default=False)),
                ('reverses_id', fields.CharField(null=True, unique=True, max_length=64)),
                ('reason', fields.TextField(default='', unique=False)),
                ('ranked', fields.BooleanField(default=False)),
                ('batch_id', fields.IntField(db_index=True)),
                ('store', fields.CharField(null=True, max_length=64)),
                ('city', fields.CharField(null=True, max_length=64)),
                ('region', fields.CharField(null=True, max_length=64)),
                ('department', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'ledger_transfer', 'app': 'plaza', 'indexes': [Index(fields=['user_id', 'at']), Index(fields=['ref', 'reversible'])], 'pk_attr': 'id', 'table_description': 'Immutable: `amount` moves from `debit_id` to `credit_id`. A correction is a new,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Redemption',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('user_id', fields.IntField(db_index=True)),
                ('item_id', fields.CharField(max_length=64)),
                ('price', fields.IntField()),
                ('status', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by_id', fields.IntField(null=True)),
                ('note', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'redemption', 'app': 'plaza', 'indexes': [Index(fields=['status', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RewardCounter',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=255)),
                ('owner', fields.CharField(max_length=64)),
                ('window_label', fields.CharField(max_length=32)),
                ('count', fields.IntField(default=0)),
            ],
            options={'table': 'reward_counter', 'app': 'plaza', 'indexes': [Index(fields=['owner', 'window_label'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RewardStreak',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=160)),
                ('user_id', fields.CharField(db_index=True, max_length=64)),
                ('last_day', fields.DateField(null=True)),
                ('length', fields.IntField(default=0)),
            ],
            options={'table': 'reward_streak', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RewardTier',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=160)),
                ('user_id', fields.CharField(db_index=True, max_length=64)),
                ('events', fields.IntField(default=0)),
                ('awarded', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'reward_tier', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RewardTombstone',
            fields=[
                ('ref', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=80)),
                ('event_id', fields.CharField(max_length=32)),
            ],
            options={'table': 'reward_tombstone', 'app': 'plaza', 'pk_attr': 'ref', 'table_description': 'A deleted post or comment. An award for it settled later (events may settle out of'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShopItem',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('title', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('description', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('price', fields.IntField()),
                ('needs_approval', fields.BooleanField(default=False)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'shop_item', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WheelSeed',
            fields=[
                ('period', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('seed', fields.CharField(max_length=64)),
                ('seed_hash', fields.CharField(max_length=64)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wheel_seed', 'app': 'plaza', 'pk_attr': 'period', 'table_description': "The seed's sha256 is public from creation, the seed itself once the period ended."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WheelSpin',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('user_id', fields.IntField(db_index=True)),
                ('wheel_version', fields.CharField(max_length=64)),
                ('period', fields.CharField(db_index=True, max_length=32)),
                ('segment', fields.CharField(max_length=64)),
                ('outcome', fields.CharField(max_length=16)),
                ('prize', fields.CharField(null=True, max_length=64)),
                ('amount', fields.IntField(default=0)),
                ('wish', fields.TextField(default='', unique=False)),
                ('fallback', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wheel_spin', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WheelVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.CharField(unique=True, max_length=64)),
                ('text', fields.TextField(unique=False)),
                ('published_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wheel_version', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
