"""Exports: the advisory group's quarterly pack (outputs.md, exports/<YYYY-Qn>/)."""
