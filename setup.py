"""Build step: ship the top-level ``templates/`` directory inside the package as
``kubegen/templates/`` (``kubegen import`` and ``kubegen init`` render through them).

Everything else is configured in pyproject.toml.
"""

from __future__ import annotations

import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


class BuildWithTemplates(build_py):  # type: ignore[misc]
    """``build_py`` plus a copy of ``templates/*`` into ``<build>/kubegen/templates/``."""

    def run(self) -> None:
        super().run()
        source = os.path.join(HERE, "templates")
        target = os.path.join(self.build_lib, "kubegen", "templates")
        shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*", "__pycache__"))


setup(cmdclass={"build_py": BuildWithTemplates})
