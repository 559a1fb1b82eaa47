"""The reporter's identity at the API boundary: the plaintext value ``submit`` takes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .actors import invalid_value


class Reporter(BaseModel):
    """The pelapor's identity: personal data (UU 27/2022), never shown where rule 10 forbids."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    contact: str | None = Field(default=None, max_length=200)
    id_number: str | None = Field(default=None, max_length=64, description="NIK or another ID number")

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise invalid_value(exc, "invalid reporter") from None
