from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from server.models.org import EmployeeStatus, Role
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='ActivityEvent',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('type', fields.CharField(max_length=64)),
                ('actor_id', fields.IntField()),
                ('subject_id', fields.IntField(null=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('settled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'activity_event', 'app': 'plaza', 'indexes': [Index(fields=['type', 'at']), Index(fields=['settled_at', 'at']), Index(fields=['actor_id', 'at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Company',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'company', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Department',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
            ],
            options={'table': 'department', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HrImport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('started_by_id', fields.IntField(null=True)),
                ('filename', fields.CharField(max_length=255)),
                ('full', fields.BooleanField(default=False)),
                ('status', fields.CharField(default='queued', max_length=16)),
                ('summary', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'hr_import', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Region',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
            ],
            options={'table': 'region', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='City',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('region', fields.ForeignKeyField('plaza.Region', source_field='region_id', null=True, db_constraint=True, to_field='id', related_name='cities', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'city', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Store',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('city', fields.ForeignKeyField('plaza.City', source_field='city_id', null=True, db_constraint=True, to_field='id', related_name='stores', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'store', 'app': 'plaza', 'pk_attr': 'id', 'table_description': 'A site: a store, an office, a plant.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Employee',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('employee_id', fields.CharField(null=True, unique=True, max_length=64)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('name', fields.CharField(max_length=200)),
                ('position', fields.CharField(default='', max_length=200)),
                ('department', fields.ForeignKeyField('plaza.Department', source_field='department_id', null=True, db_constraint=True, to_field='id', related_name='employees', on_delete=OnDelete.SET_NULL)),
                ('store', fields.ForeignKeyField('plaza.Store', source_field='store_id', null=True, db_constraint=True, to_field='id', related_name='employees', on_delete=OnDelete.SET_NULL)),
                ('manager', fields.ForeignKeyField('plaza.Employee', source_field='manager_id', null=True, db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.SET_NULL)),
                ('skills', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('interests', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('locale', fields.CharField(default='en', max_length=8)),
                ('timezone', fields.CharField(default='', max_length=64)),
                ('avatar_path', fields.CharField(null=True, max_length=255)),
                ('role', fields.CharEnumField(default=Role.EMPLOYEE, description='EMPLOYEE: employee\nMANAGER: manager\nCOMMS: comms\nMODERATOR: moderator\nADMIN: admin', enum_type=Role, max_length=16)),
                ('status', fields.CharEnumField(default=EmployeeStatus.ACTIVE, description='ACTIVE: active\nDISMISSED: dismissed', enum_type=EmployeeStatus, max_length=16)),
                ('hr_listed', fields.BooleanField(default=False)),
                ('password_hash', fields.CharField(null=True, max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('dismissed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'employee', 'app': 'plaza', 'pk_attr': 'id', 'table_description': 'A person who may use Plaza: from the HR list, or registered with a company e-mail.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('prefix', fields.CharField(max_length=16)),
                ('name', fields.CharField(max_length=100)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name='api_tokens', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_token', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ip', fields.CharField(default='', max_length=64)),
                ('user_agent', fields.CharField(default='', max_length=300)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'session', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
