from tortoise import migrations


class Migration(migrations.Migration):
    """Joins the migrations of the branches built side by side after the audit log."""

    dependencies = [
        ("plaza", "0007_analytics"),
        ("plaza", "0007_content"),
        ("plaza", "0007_moderation"),
        ("plaza", "0007_rwadmin"),
    ]
    operations: list[object] = []
