"""The organisation: company, regions, cities, stores, departments and employees."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"  # a store director or team lead
    COMMS = "comms"
    MODERATOR = "moderator"
    ADMIN = "admin"


class EmployeeStatus(StrEnum):
    ACTIVE = "active"
    DISMISSED = "dismissed"


class Company(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "company"


class Region(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)

    class Meta:
        table = "region"


class City(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    region: fields.ForeignKeyNullableRelation[Region] = fields.ForeignKeyField(
        "plaza.Region", related_name="cities", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "city"


class Store(Model):
    """A site: a store, an office, a plant."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    city: fields.ForeignKeyNullableRelation[City] = fields.ForeignKeyField(
        "plaza.City", related_name="stores", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "store"


class Department(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)

    class Meta:
        table = "department"


class Employee(Model):
    """A person who may use Plaza: from the HR list, or registered with a company e-mail."""

    id = fields.IntField(primary_key=True)
    employee_id = fields.CharField(max_length=64, unique=True, null=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=200)
    position = fields.CharField(max_length=200, default="")
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "plaza.Department", related_name="employees", null=True, on_delete=fields.SET_NULL
    )
    store: fields.ForeignKeyNullableRelation[Store] = fields.ForeignKeyField(
        "plaza.Store", related_name="employees", null=True, on_delete=fields.SET_NULL
    )
    manager: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name="reports", null=True, on_delete=fields.SET_NULL
    )
    skills = fields.JSONField[list[str]](default=list)
    interests = fields.JSONField[list[str]](default=list)
    locale = fields.CharField(max_length=8, default="en")
    timezone = fields.CharField(max_length=64, default="")
    avatar_path = fields.CharField(max_length=255, null=True)
    role = fields.CharEnumField(Role, max_length=16, default=Role.EMPLOYEE)
    status = fields.CharEnumField(EmployeeStatus, max_length=16, default=EmployeeStatus.ACTIVE)
    # True while the employee is in the HR list: such an address may register whatever its domain.
    hr_listed = fields.BooleanField(default=False)
    password_hash = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    dismissed_at = fields.DatetimeField(null=True)

    department_id: int | None
    store_id: int | None
    manager_id: int | None

    class Meta:
        table = "employee"

    @property
    def is_active(self) -> bool:
        return self.status == EmployeeStatus.ACTIVE
