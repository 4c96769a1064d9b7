"""The part of an HSDS 3.x service record verbund reads, as pydantic models.

Publishers add fields of their own and leave optional ones out; unknown fields are ignored
(HSDS allows extensions), known ones are validated.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class _Hsds(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Term(_Hsds):
    id: str
    code: str | None = None
    name: str
    parent_id: str | None = None
    taxonomy: str | None = None


class Attribute(_Hsds):
    taxonomy_term_id: str | None = None
    value: str | None = None
    taxonomy_term: Term | None = None


class Phone(_Hsds):
    number: str


class HsdsOrganization(_Hsds):
    id: str
    name: str
    description: str | None = None
    email: str | None = None
    website: str | None = None
    legal_status: str | None = None
    phones: list[Phone] = Field(default_factory=list)


class Address(_Hsds):
    address_1: str | None = None
    city: str | None = None
    postal_code: str | None = None


class Schedule(_Hsds):
    description: str | None = None


class RequiredDocument(_Hsds):
    document: str | None = None


class HsdsLocation(_Hsds):
    id: str
    name: str | None = None
    organization_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    external_identifier: str | None = None
    external_identifier_type: str | None = None
    addresses: list[Address] = Field(default_factory=list)
    phones: list[Phone] = Field(default_factory=list)
    schedules: list[Schedule] = Field(default_factory=list)


class ServiceAtLocation(_Hsds):
    location_id: str | None = None
    location: HsdsLocation | None = None


class ServiceArea(_Hsds):
    id: str | None = None
    name: str | None = None
    uri: str | None = None
    extent: str | None = None
    extent_type: str | None = None


class Language(_Hsds):
    code: str | None = None
    name: str | None = None


class Unit(_Hsds):
    name: str | None = None


class Capacity(_Hsds):
    maximum: float | None = None
    available: float | None = None  # absent: occupancy unknown
    unit: Unit | None = None
    description: str | None = None


class HsdsService(_Hsds):
    id: str
    name: str
    description: str | None = None
    url: str | None = None
    email: str | None = None
    status: str = "active"
    assured_date: date | None = None
    organization: HsdsOrganization | None = None
    organization_id: str | None = None
    service_areas: list[ServiceArea] = Field(default_factory=list)
    service_at_locations: list[ServiceAtLocation] = Field(default_factory=list)
    languages: list[Language] = Field(default_factory=list)
    capacities: list[Capacity] = Field(default_factory=list)
    attributes: list[Attribute] = Field(default_factory=list)
    required_documents: list[RequiredDocument] = Field(default_factory=list)
