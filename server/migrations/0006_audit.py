from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

# The log is append-only in the database itself, not only in our code: an UPDATE or DELETE
# of a row fails whoever sends it. (Dropping the trigger is possible for a superuser; the
# signed checkpoints written outside the database catch that: docs/audit.md.)
_SQLITE = [
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
]
_POSTGRES = [
    """CREATE OR REPLACE FUNCTION plaza_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_entry is append-only';
END $$""",
    "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
    "FOR EACH ROW EXECUTE FUNCTION plaza_audit_append_only()",
    "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION plaza_audit_append_only()",
]


async def append_only(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    statements = _SQLITE if schema_editor.client.capabilities.dialect == "sqlite" else _POSTGRES
    for statement in statements:
        await schema_editor.client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("plaza", "0005_merge")]

    initial = False

    operations = [
        ops.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "seq",
                    fields.BigIntField(
                        generated=False, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ("actor_id", fields.IntField(null=True, db_index=True)),
                ("action", fields.CharField(db_index=True, max_length=64)),
                ("target", fields.CharField(default="", db_index=True, max_length=128)),
                ("detail", fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ("prev_hash", fields.CharField(max_length=64)),
                ("hash", fields.CharField(unique=True, max_length=64)),
            ],
            options={
                "table": "audit_entry",
                "app": "plaza",
                "pk_attr": "seq",
                "table_description": "Never updated or deleted (the database refuses both: see migration 0006_audit).",
            },
            bases=["Model"],
        ),
        ops.RunPython(append_only),
    ]
