"""Reading an HR export (CSV or JSON) into validated rows, each with its line number.

Pure: bytes in, rows and rejections out. A bad row is reported and skipped; it never stops
the good rows from being imported.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator

from server.models import EmployeeStatus, Role

MAX_FILE_BYTES = 50_000_000


class ImportFileError(Exception):
    """The file as a whole cannot be read (not CSV/JSON, wrong encoding, no header)."""


class HrRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    employee_id: str = Field(min_length=1, max_length=64)
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    position: str = Field(default="", max_length=200)
    department: str = Field(default="", max_length=200)
    department_code: str = Field(default="", max_length=64)
    store: str = Field(default="", max_length=200)
    store_code: str = Field(default="", max_length=64)
    city: str = Field(default="", max_length=200)
    city_code: str = Field(default="", max_length=64)
    region: str = Field(default="", max_length=200)
    region_code: str = Field(default="", max_length=64)
    manager_employee_id: str = Field(default="", max_length=64)
    skills: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    locale: str = ""
    timezone: str = ""
    role: Role | None = None
    status: EmployeeStatus = EmployeeStatus.ACTIVE

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("skills", "interests", mode="before")
    @classmethod
    def _tags(cls, value: object) -> object:
        if isinstance(value, str):
            value = re.split(r"[;,|]", value)
        if isinstance(value, list):
            return sorted({str(v).strip().lower() for v in value if str(v).strip()})
        return value

    @field_validator("role", mode="before")
    @classmethod
    def _blank_role(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("status", mode="before")
    @classmethod
    def _blank_status(cls, value: object) -> object:
        return EmployeeStatus.ACTIVE if value in ("", None) else value

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value and value not in ("en", "ru"):
            raise ValueError("locale must be en or ru")
        return value


@dataclass(frozen=True)
class Rejected:
    line: int
    employee_id: str
    reason: str


@dataclass
class Parsed:
    rows: list[tuple[int, HrRow]]
    rejected: list[Rejected]
    # Every employee id the file names, also in rejected rows: a full import must not
    # dismiss someone only because their row had a typo.
    mentioned_ids: set[str]


def parse(data: bytes, filename: str) -> Parsed:
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(f"the file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"not UTF-8 text (byte {exc.start})") from None
    stripped = text.lstrip()
    if filename.lower().endswith(".json") or stripped.startswith("["):
        records = _json_records(text)
    else:
        records = _csv_records(text)
    parsed = Parsed(rows=[], rejected=[], mentioned_ids=set())
    seen: dict[str, int] = {}
    for line, record in records:
        ident = str(record.get("employee_id") or "").strip()
        if ident:
            parsed.mentioned_ids.add(ident)
        try:
            row = HrRow.model_validate(record)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"])
            parsed.rejected.append(Rejected(line, ident, f"{where}: {error['msg']}"))
            continue
        if row.employee_id in seen:
            reason = f"employee_id {row.employee_id} already on line {seen[row.employee_id]}"
            parsed.rejected.append(Rejected(line, ident, reason))
            continue
        seen[row.employee_id] = line
        parsed.rows.append((line, row))
    return parsed


def _csv_records(text: str) -> list[tuple[int, dict[str, Any]]]:
    # The delimiter is the one that makes "employee_id" a column of the header: csv.Sniffer
    # guesses from the data too, and a ";" inside a quoted skills list fools it.
    header = text.split("\n", 1)[0]
    for delimiter in (",", ";", "\t"):
        if "employee_id" in [c.strip().strip('"') for c in header.split(delimiter)]:
            break
    else:
        raise ImportFileError(
            "the first line must be a header naming employee_id, email, name, ..."
        )
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    records = []
    for record in reader:
        clean = {(k or "").strip(): v for k, v in record.items() if k}
        records.append((reader.line_num, clean))
    return records


def _json_records(text: str) -> list[tuple[int, dict[str, Any]]]:
    """Walk a JSON array element by element so that each row keeps the line it starts on."""
    decoder = json.JSONDecoder()
    index = text.find("[")
    if index < 0:
        raise ImportFileError("a JSON import is an array of objects")
    index += 1
    records: list[tuple[int, dict[str, Any]]] = []
    length = len(text)
    while True:
        while index < length and text[index] in " \t\r\n,":
            index += 1
        if index >= length:
            raise ImportFileError("the JSON array is not closed")
        if text[index] == "]":
            return records
        line = text.count("\n", 0, index) + 1
        try:
            value, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        if not isinstance(value, dict):
            value = {"_": value}  # reported as a rejected row by validation
        records.append((line, value))
