"""setuptools entry point: everything is declared in pyproject.toml except the native
HDF5 filter plugin, which ``build_plugin`` compiles (native/build.py, cffi embedding,
HDF5 headers shipped in native/hdf5-include) into ``inrfilter/plugins/`` of the build
(so the wheel carries it), or of the source tree for editable installs.

A plugin that cannot be built fails the install, loudly (pip hides warnings of a build
that succeeds, and a user would find out only when HDF5 cannot read a file):
``INRFILTER_SKIP_PLUGIN=1`` installs without it (the h5py helpers that read chunks
directly, numcodecs and zarr still work; HDF5 itself cannot then decode inrfilter
datasets)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from setuptools import Command, Distribution, setup
from setuptools.command.build import build

ROOT = Path(__file__).resolve().parent
PLUGIN_DIR = os.path.join("inrfilter", "plugins")


def _native_build():
    """native/build.py as a module (it is not a package, and must not import inrfilter)."""
    spec = importlib.util.spec_from_file_location("_inrfilter_native_build", ROOT / "native" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SKIP_ENV = "INRFILTER_SKIP_PLUGIN"


class build_plugin(Command):
    """Compile the HDF5 filter plugin; failure stops the build unless $INRFILTER_SKIP_PLUGIN=1."""

    description = "compile the inrfilter HDF5 filter plugin (native/)"
    user_options: list = []

    def initialize_options(self) -> None:
        self.build_lib = None
        self.build_temp = None
        self.editable_mode = False

    def finalize_options(self) -> None:
        self.set_undefined_options("build_ext", ("build_lib", "build_lib"), ("build_temp", "build_temp"))

    def _library_name(self) -> str:
        return str(_native_build().constants(ROOT)["LIBRARY_NAME"])

    def run(self) -> None:
        native = _native_build()
        outdir = ROOT / PLUGIN_DIR if self.editable_mode else Path(self.build_lib) / PLUGIN_DIR
        if os.environ.get(SKIP_ENV) == "1":
            print(f"inrfilter: {SKIP_ENV}=1: the HDF5 filter plugin is NOT built", flush=True)
            return
        try:
            native.build(outdir, Path(self.build_temp) / "plugin", ROOT)
        except native.PluginBuildError as exc:
            banner = "!" * 78
            raise SystemExit(
                f"\n{banner}\ninrfilter: the HDF5 filter plugin could not be built:\n{exc}\n\n"
                f"Install a C compiler (Debian: apt-get install gcc) and retry, or set {SKIP_ENV}=1 to install "
                "without it (then HDF5 programs and h5py cannot decode inrfilter datasets; inrfilter.h5.read_region, "
                f"numcodecs and zarr still work).\n{banner}"
            ) from exc

    def _outputs(self) -> list[str]:
        native = _native_build()
        return [os.path.join(PLUGIN_DIR, self._library_name()), os.path.join("inrfilter", native.BUILD_LOG)]

    def get_outputs(self) -> list[str]:
        return [os.path.join(self.build_lib, path) for path in self._outputs()]

    def get_output_mapping(self) -> dict[str, str]:
        if not self.editable_mode:
            return {}
        return {os.path.join(self.build_lib, path): path for path in self._outputs()}

    def get_source_files(self) -> list[str]:
        return ["native/h5inrfilter.c", "native/build.py", *(f"native/hdf5-include/{p.name}"
                                                              for p in sorted((ROOT / "native/hdf5-include").iterdir()))]


class build_with_plugin(build):
    sub_commands = build.sub_commands + [("build_plugin", None)]


class BinaryDistribution(Distribution):
    """The wheel carries a compiled library: tag it for the platform."""

    def has_ext_modules(self) -> bool:
        return True


setup(cmdclass={"build": build_with_plugin, "build_plugin": build_plugin}, distclass=BinaryDistribution)
