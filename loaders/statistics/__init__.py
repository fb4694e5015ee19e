"""Land the statistics files statisticians publish (CSV/TSV/XLSX/XLS/Parquet) in ``raw.statistics``.

Public API: :func:`load_statistics`, :func:`iter_statistics_paths`, :class:`LoadResult`,
:class:`StatisticsFileError`. Modules, one job each: ``read`` (formats, encodings), ``layout``
(header detection, long/wide shapes, unpivot), ``values`` (cells, qualifiers, units), ``resolve``
(regions, indicators), ``schema`` (pandera checks), ``prepare`` (the pipeline), ``load`` (DuckDB).
"""

from loaders.statistics.errors import StatisticsFileError
from loaders.statistics.load import LoadResult, iter_statistics_paths, load_statistics

__all__ = ["LoadResult", "StatisticsFileError", "iter_statistics_paths", "load_statistics"]
