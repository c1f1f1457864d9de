"""replib: the shared library of the Gates & Games replication book.

Organised by mechanism, not by paper (see the library map in the README):
``book`` (profiles, seeds, records, verdicts, plots, widgets), ``stats`` (the statistics
behind verdicts), ``nets`` (small host networks), ``markets`` (market and auction
simulators), and further subpackages as chapters land.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
