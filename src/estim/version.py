"""estim's version, in a module of its own at the bottom of the package, so that the cache
keys of every stage can include it without importing the package's top (``estim``)."""

__version__ = "0.1.0"
