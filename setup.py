"""Maps the `plugins/` folder to the import name `warmth_plugins` (see pyproject)."""

from setuptools import find_packages, setup

plugin_packages = ["warmth_plugins"] + [
    f"warmth_plugins.{name}" for name in find_packages("plugins")
]

setup(
    packages=find_packages(include=["warmth", "warmth.*"]) + plugin_packages,
    package_dir={"warmth_plugins": "plugins"},
)
