"""Book plumbing used by every chapter: profiles and seeding (``setup``), records and
provenance (``record``), claim verdicts (``verdict``), plots and kernel-free widgets."""

from replib.book.setup import (
                               PROFILES,
                               DataMissingError,
                               GPUUnavailableError,
                               ParameterError,
                               ProfileError,
                               Run,
                               setup,
)

__all__ = ["setup", "Run", "PROFILES", "ProfileError", "ParameterError",
           "GPUUnavailableError", "DataMissingError"]
