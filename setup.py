"""setuptools entry point.  The native HDF5 plugin build (native/, cffi) will hook in
here; until then everything is declared in pyproject.toml."""

from setuptools import setup

setup()
