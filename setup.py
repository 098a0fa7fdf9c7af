"""Build hook: compile the gettext catalogues into every wheel (metadata lives in pyproject.toml).

The repository keeps only the ``.po`` sources; ``build_py`` turns each into the ``.mo``
Django reads, with polib, so a wheel built from a clean checkout or from the sdist is
translated. setuptools-gettext was passed over: it wants a flat ``po/`` folder and GNU
``msgfmt`` on the build machine, where Django keeps ``locale/<lang>/LC_MESSAGES/django.po``.
"""

from pathlib import Path

import polib
from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogues(build_py):
    """``build_py`` that also writes ``django.mo`` beside each packaged ``django.po``."""

    def run(self):
        super().run()
        for po_path, mo_path in self._catalogues():
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            self.announce(f"compiled {po_path} -> {mo_path}", level=2)

    def get_outputs(self, include_bytecode=True):
        return super().get_outputs(include_bytecode) + [str(mo) for _, mo in self._catalogues()]

    def _catalogues(self):
        for _package, src_dir, build_dir, _files in self.data_files:
            for po_path in sorted(Path(src_dir).glob("locale/*/LC_MESSAGES/*.po")):
                relative = po_path.relative_to(src_dir).with_suffix(".mo")
                # An editable install serves the source tree, so its catalogues go there.
                target = Path(src_dir if self.editable_mode else build_dir)
                yield po_path, target / relative


setup(cmdclass={"build_py": BuildPyWithCatalogues})
