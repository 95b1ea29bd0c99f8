"""xxgk-audit: audit 政府信息公开工作年度报告 text, tables and narrative."""

__version__ = "0.1.0"
