"""Statistics of the report: paired tests, regressions, marginal effects."""
