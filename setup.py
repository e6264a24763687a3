"""setuptools entry point: everything is declared in pyproject.toml except the native
HDF5 filter plugin, which ``build_plugin`` compiles (native/build.py, cffi embedding)
into ``inrfilter/plugins/`` of the build, or of the source tree for editable installs."""

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


class build_plugin(Command):
    """Compile the HDF5 filter plugin (a missing prerequisite warns; a compile error fails)."""

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
        try:
            path = native.build(outdir, Path(self.build_temp) / "plugin", ROOT)
        except native.PluginBuildError as exc:
            self.warn(f"the inrfilter HDF5 plugin is NOT built: {exc}. inrfilter works without it, "
                      "but inrfilter.h5 and HDF5 programs cannot use the filter.")
            return
        self.announce(f"built the HDF5 filter plugin {path}", level=2)

    def get_outputs(self) -> list[str]:
        return [os.path.join(self.build_lib, PLUGIN_DIR, self._library_name())]

    def get_output_mapping(self) -> dict[str, str]:
        if not self.editable_mode:
            return {}
        name = self._library_name()
        return {os.path.join(self.build_lib, PLUGIN_DIR, name): os.path.join(PLUGIN_DIR, name)}

    def get_source_files(self) -> list[str]:
        return ["native/h5inrfilter.c", "native/build.py"]


class build_with_plugin(build):
    sub_commands = build.sub_commands + [("build_plugin", None)]


class BinaryDistribution(Distribution):
    """The wheel carries a compiled library: tag it for the platform."""

    def has_ext_modules(self) -> bool:
        return True


setup(cmdclass={"build": build_with_plugin, "build_plugin": build_plugin}, distclass=BinaryDistribution)
