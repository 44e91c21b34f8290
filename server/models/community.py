"""The community: company channels, groups and their members, follows, saved audiences."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from server.models.org import Employee


class Channel(Model):
    """A company news channel run by comms. Mandatory channels reach every active employee
    without a subscription row (so a new hire is subscribed the moment the row exists)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    mandatory = fields.BooleanField(default=False)
    created_by: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    created_by_id: int | None

    class Meta:
        table = "channel"


class ChannelSubscription(Model):
    id = fields.IntField(primary_key=True)
    channel: fields.ForeignKeyRelation[Channel] = fields.ForeignKeyField(
        "plaza.Channel", related_name="subscriptions", on_delete=fields.CASCADE
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    channel_id: int
    employee_id: int

    class Meta:
        table = "channel_subscription"
        unique_together = (("employee", "channel"),)


class Visibility(StrEnum):
    PUBLIC = "public"  # anyone sees and joins
    PRIVATE = "private"  # anyone sees the group; content for members; joining needs approval
    SECRET = "secret"  # noqa: S105 - only members know it exists


class Group(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    visibility = fields.CharEnumField(Visibility, max_length=16, default=Visibility.PUBLIC)
    # Kept on the row so that listing hundreds of groups needs no COUNT per group.
    member_count = fields.IntField(default=0)
    created_by: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    created_by_id: int | None

    class Meta:
        table = "community_group"
        indexes = (("visibility", "name"),)


class MemberState(StrEnum):
    MEMBER = "member"
    REQUESTED = "requested"  # asked to join a private group, waits for a group moderator
    INVITED = "invited"  # invited by a member, waits for the invitee


class GroupMember(Model):
    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "plaza.Group", related_name="members", on_delete=fields.CASCADE
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    state = fields.CharEnumField(MemberState, max_length=16, default=MemberState.MEMBER)
    moderator = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    group_id: int
    employee_id: int

    class Meta:
        table = "group_member"
        unique_together = (("employee", "group"),)
        indexes = (("group_id", "state"),)


class Follow(Model):
    """An employee follows a person: their blog (wall) posts reach the follower's feed."""

    id = fields.IntField(primary_key=True)
    follower: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    followee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    follower_id: int
    followee_id: int

    class Meta:
        table = "follow"
        unique_together = (("follower", "followee"),)
        indexes = (("followee_id",),)


class Segment(Model):
    """A saved audience: a named set of tokens ("region:3", "role:manager", ...)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    tokens = fields.JSONField[list[str]](default=list)
    created_by: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "segment"
