from tortoise import migrations


class Migration(migrations.Migration):
    """Joins the migrations of the contests, courses and analytics spans, built side by side."""

    dependencies = [
        ("plaza", "0009_analytics"),
        ("plaza", "0009_contests"),
        ("plaza", "0009_courses"),
    ]
    operations: list[object] = []
