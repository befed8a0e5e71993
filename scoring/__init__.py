"""Scoring: success rates with intervals, pass@k / pass^k, paired comparisons, leaderboard, viewer."""
