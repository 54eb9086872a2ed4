"""video-pages-etl: scraped video pages -> validated Parquet tables -> DuckDB catalog."""

__version__ = "0.1.0"
