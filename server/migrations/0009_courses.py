from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from server.models.courses import AudienceKind, CourseState, QuestionKind
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('plaza', '0008_merge')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Course',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('summary', fields.TextField(default='', unique=False)),
                ('cover', fields.ForeignKeyField('plaza.Attachment', source_field='cover_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('state', fields.CharEnumField(default=CourseState.DRAFT, description='DRAFT: draft\nPUBLISHED: published', enum_type=CourseState, max_length=16)),
                ('created_by', fields.ForeignKeyField('plaza.Employee', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'course', 'app': 'plaza', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CourseAssignment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('plaza.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='EVERYONE: everyone\nSTORE: store\nDEPARTMENT: department\nCITY: city\nREGION: region', enum_type=AudienceKind, max_length=16)),
                ('value', fields.CharField(null=True, max_length=64)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('plaza.Employee', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'course_assignment', 'app': 'plaza', 'pk_attr': 'id', 'table_description': 'A course given to an audience (everyone, or a store, department, city or region by'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CourseCompletion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('plaza.Course', source_field='course_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('completed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'course_completion', 'app': 'plaza', 'unique_together': (('course', 'employee'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Lesson',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('plaza.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='lessons', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('body_md', fields.TextField(default='', unique=False)),
                ('html', fields.TextField(default='', unique=False)),
                ('quiz', fields.BooleanField(default=False)),
                ('quiz_questions', fields.IntField(default=5)),
                ('quiz_time_limit_s', fields.IntField(default=600)),
                ('quiz_pass_mark', fields.IntField(default=70)),
                ('quiz_attempts', fields.IntField(default=3)),
            ],
            options={'table': 'course_lesson', 'app': 'plaza', 'indexes': [Index(fields=['course_id', 'position'])], 'pk_attr': 'id', 'table_description': 'A lesson in its courses order, with quiz on, quiz_questions questions are drawn'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Attempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('plaza.Course', source_field='course_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('lesson', fields.ForeignKeyField('plaza.Lesson', source_field='lesson_id', db_constraint=True, to_field='id', related_name='attempts', on_delete=OnDelete.CASCADE)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('seed', fields.BigIntField()),
                ('questions', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('pass_mark', fields.IntField()),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deadline', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answers', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('score', fields.IntField(null=True)),
                ('correct', fields.IntField(null=True)),
                ('passed', fields.BooleanField(default=False)),
                ('late', fields.BooleanField(default=False)),
                ('event_id', fields.CharField(null=True, max_length=32)),
            ],
            options={'table': 'course_attempt', 'app': 'plaza', 'unique_together': (('lesson', 'employee', 'number'),), 'pk_attr': 'id', 'table_description': 'One try at a lessons quiz. questions is the drawn set as it was when drawn (text,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LessonProgress',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('plaza.Course', source_field='course_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('lesson', fields.ForeignKeyField('plaza.Lesson', source_field='lesson_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('employee', fields.ForeignKeyField('plaza.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('passed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('best_score', fields.IntField(null=True)),
            ],
            options={'table': 'course_lesson_progress', 'app': 'plaza', 'unique_together': (('lesson', 'employee'),), 'indexes': [Index(fields=['course_id', 'employee_id'])], 'pk_attr': 'id', 'table_description': 'What a person has done in a lesson: read it, passed its quiz, their best score.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Question',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('plaza.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField(default=0)),
                ('kind', fields.CharEnumField(description='SINGLE: single\nMULTIPLE: multiple\nTRUE_FALSE: true_false', enum_type=QuestionKind, max_length=16)),
                ('text', fields.TextField(unique=False)),
                ('options', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('explanation', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'course_question', 'app': 'plaza', 'pk_attr': 'id', 'table_description': 'A question of the bank. options is [{id, text, correct}], option ids are random, so'},
            bases=['Model'],
        ),
    ]
