"""Packages, with the top-level templates/ shipped inside the wheel as the package data `crmctl/templates/`.

The rest of the metadata (package data too) lives in setup.cfg; only this mapping needs code, because `find:` in setup.cfg
cannot add a package whose folder sits outside `crmctl/`.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(exclude=["tests", "tests.*", "bench", "bench.*"]) + ["crmctl.templates"],
    package_dir={"crmctl.templates": "templates"},
)
