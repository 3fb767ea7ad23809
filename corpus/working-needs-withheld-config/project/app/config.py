"""The deployment's settings: config.yaml next to the code, written from config.example.yaml (not in git)."""
import pathlib

import yaml

with open(pathlib.Path(__file__).parents[1] / "config.yaml", encoding="utf8") as f:
    settings = yaml.safe_load(f)
