from setuptools import setup

setup(name="legacy-app", version="1.0")
