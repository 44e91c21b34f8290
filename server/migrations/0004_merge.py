from tortoise import migrations


class Migration(migrations.Migration):
    """Joins the realtime branch's migration to the others."""

    dependencies = [("plaza", "0003_merge"), ("plaza", "0002_realtime")]
    operations: list[object] = []
