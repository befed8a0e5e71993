"""The static leaderboard site and trajectory viewer (also served live by `scoring.server`)."""
from scoring.site.build import BuildReport, build_site

__all__ = ["BuildReport", "build_site"]
