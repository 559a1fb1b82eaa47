"""Which institutions and units exist: the directory and its Kota Cirebon default."""

from lapor_domain.organisation.cirebon import (
    KABUPATEN_CIREBON,
    KOTA_CIREBON,
    PROVINSI_JAWA_BARAT,
    kota_cirebon,
)
from lapor_domain.organisation.directory import (
    SLUG_PATTERN,
    Institution,
    OrganisationDirectory,
    Unit,
    UnitKind,
)

__all__ = [
    "KABUPATEN_CIREBON",
    "KOTA_CIREBON",
    "PROVINSI_JAWA_BARAT",
    "SLUG_PATTERN",
    "Institution",
    "OrganisationDirectory",
    "Unit",
    "UnitKind",
    "kota_cirebon",
]
