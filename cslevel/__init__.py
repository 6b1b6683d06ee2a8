"""cslevel: grade customer-service agents (客服定级) from monthly KPI workbooks."""

__version__ = "0.1.0"
