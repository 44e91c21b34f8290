"""Contests: live scores in Redis and the close.

The standings themselves are pure: rules.standings.
"""
