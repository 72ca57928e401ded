from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JsonDoc

RISK_TIERS = ("low", "rising", "high", "complex")  # what `risk_tier` holds, when set


class Patient(Base):
    """A person in care. `id` is the patient id pathways are correlated by (messages, inbox, instances)."""

    __tablename__ = "patients"
    # prefix search by name: on PostgreSQL the index needs pattern ops to serve LIKE 'smi%' under any collation
    __table_args__ = (Index(None, "search_name", postgresql_ops={"search_name": "varchar_pattern_ops"}),)

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    mrn: Mapped[str] = mapped_column(String(50), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    # lower-cased "family given" for prefix search by name
    search_name: Mapped[str] = mapped_column(String(210))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(20))  # female, male, other, unknown (FHIR administrative gender)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    address: Mapped[str | None] = mapped_column(Text)
    primary_care_provider: Mapped[str | None] = mapped_column(String(200))
    preferred_language: Mapped[str | None] = mapped_column(String(50))
    risk_tier: Mapped[str | None] = mapped_column(String(20))  # low, rising, high, complex
    # chronic conditions: [{"name": ..., "lasting_12_months": bool}], the start data of identification
    conditions: Mapped[list | None] = mapped_column(JsonDoc)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def condition_names(self) -> list[str]:
        return [c.get("name") for c in (self.conditions or []) if isinstance(c, dict)]
