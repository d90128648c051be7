"""Weft: a random-access columnar file format for ML training data — the Python shim.

* :mod:`weft.torch` — ``WeftDataset``, a PyTorch ``IterableDataset`` fed zero-copy by a loader
  server over shared memory (needs the ``torch`` extra).
* :class:`weft.Client` — the loader server's wire protocol (loader-server/PROTOCOL.md).
* :func:`weft.start_server` — the shared, embedded local loader server.
* :func:`weft.read_table`, :func:`weft.convert` — notebook helpers (server / CLI).
"""

from ._client import Batch, Client, ServerError, Stream, WeftError
from ._server import ServerStartError
from ._server import acquire as start_server
from ._table import convert, read_table

__all__ = ["Client", "Stream", "Batch", "WeftError", "ServerError", "ServerStartError", "start_server", "read_table", "convert"]
__version__ = "0.1.0"
