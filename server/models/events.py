"""Events with invitations and RSVPs, and polls inside posts."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from server.models.community import Group
from server.models.org import Employee
from server.models.posts import Post


class Event(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    html = fields.TextField(default="")
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    place = fields.CharField(max_length=300, default="")
    url = fields.CharField(max_length=500, default="")
    # An event of a group is seen as the group's posts are; otherwise by its invitations
    # (tokens, as post audiences), and by everyone when it has none.
    group: fields.ForeignKeyNullableRelation[Group] = fields.ForeignKeyField(
        "plaza.Group", related_name=False, null=True, on_delete=fields.CASCADE
    )
    created_by: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    invite_only = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    reminder_sent_at = fields.DatetimeField(null=True)

    group_id: int | None
    created_by_id: int

    class Meta:
        table = "event"
        indexes = (("starts_at",),)


class EventInvite(Model):
    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "plaza.Event", related_name="invites", on_delete=fields.CASCADE
    )
    token = fields.CharField(max_length=40)

    event_id: int

    class Meta:
        table = "event_invite"
        unique_together = (("event", "token"),)


class RsvpAnswer(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    DECLINED = "declined"


class Rsvp(Model):
    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "plaza.Event", related_name="rsvps", on_delete=fields.CASCADE
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    answer = fields.CharEnumField(RsvpAnswer, max_length=8)
    attended = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField(auto_now=True)

    event_id: int
    employee_id: int

    class Meta:
        table = "rsvp"
        unique_together = (("event", "employee"),)


class Poll(Model):
    id = fields.IntField(primary_key=True)
    post: fields.OneToOneRelation[Post] = fields.OneToOneField(
        "plaza.Post", related_name="poll", on_delete=fields.CASCADE
    )
    question = fields.CharField(max_length=300)
    multiple = fields.BooleanField(default=False)
    anonymous = fields.BooleanField(default=False)
    closes_at = fields.DatetimeField(null=True)

    post_id: int

    class Meta:
        table = "poll"


class PollOption(Model):
    id = fields.IntField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "plaza.Poll", related_name="options", on_delete=fields.CASCADE
    )
    text = fields.CharField(max_length=200)
    position = fields.IntField()

    poll_id: int

    class Meta:
        table = "poll_option"


class PollAnswer(Model):
    """One per employee and poll (a unique constraint), with the choices hanging off it."""

    id = fields.IntField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "plaza.Poll", related_name="answers", on_delete=fields.CASCADE
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    poll_id: int
    employee_id: int

    class Meta:
        table = "poll_answer"
        unique_together = (("poll", "employee"),)


class PollChoice(Model):
    id = fields.IntField(primary_key=True)
    answer: fields.ForeignKeyRelation[PollAnswer] = fields.ForeignKeyField(
        "plaza.PollAnswer", related_name="choices", on_delete=fields.CASCADE
    )
    option: fields.ForeignKeyRelation[PollOption] = fields.ForeignKeyField(
        "plaza.PollOption", related_name=False, on_delete=fields.CASCADE
    )

    answer_id: int
    option_id: int

    class Meta:
        table = "poll_choice"
        unique_together = (("answer", "option"),)
