"""The Dagster code location: assets, checks, schedules and sensors over the warehouse core."""
