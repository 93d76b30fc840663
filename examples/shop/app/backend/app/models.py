"""What the API accepts and returns. The limits mirror the table's CHECK constraints."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# numeric(10,2): up to 99,999,999.99. A JSON number or a string in; a string out, so no client
# ever sees a binary float's rounding.
Price = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2, allow_inf_nan=False)]


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    price: Price


class Product(BaseModel):
    id: int
    name: str
    price: Price
    created_at: datetime
