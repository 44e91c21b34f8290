from tortoise import migrations


class Migration(migrations.Migration):
    """Joins the rewards branch's migration to the others."""

    dependencies = [("plaza", "0004_merge"), ("plaza", "0003_rewards")]
    operations: list[object] = []
