"""Broadside: a campaign manager that members run from chat."""
