"""The explorable report of the battle for Shusha/Shushi (November 2020)."""

__version__ = "0.1.0"
