from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('plaza', '0006_audit')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RewardAllowance',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('monthly', fields.IntField()),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'reward_allowance', 'app': 'plaza', 'pk_attr': 'key', 'table_description': 'A monthly allowance the comms team set in the workspace. `key` is "manager" (every'},
            bases=['Model'],
        ),
    ]
