"""Synthetic-ministry generator behind `axmeter sample`."""

from pipelines.sample.generate import SampleSummary, generate

__all__ = ["SampleSummary", "generate"]
