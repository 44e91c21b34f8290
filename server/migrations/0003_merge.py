from tortoise import migrations


class Migration(migrations.Migration):
    """Joins two migrations written in parallel on different branches."""

    dependencies = [("plaza", "0002_community"), ("plaza", "0002_rulesets")]
    operations: list[object] = []
