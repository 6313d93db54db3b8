"""Room for every connection a worker may hold: the process's open-file limit.

Each connection is a file descriptor. A soft limit below what ``max_connections`` needs would
make the server fail to accept (and fail health checks) before the connection bound applies,
so ``filmflare serve`` raises the soft limit to the hard one at start; its workers inherit it.
"""

from __future__ import annotations

import logging
import resource

log = logging.getLogger("filmflare.serve")
#: Descriptors a worker needs beside its connections: the listening socket, the embedded
#: backends' files, backend clients, logs, the interpreter's own.
RESERVED = 128


def raise_open_files_limit(max_connections: int) -> int:
    """Raise the soft ``RLIMIT_NOFILE`` to the hard limit; warn when even that is below what
    ``max_connections`` needs. Returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = max_connections + RESERVED
    # An unlimited hard limit cannot be the soft one on Linux (nr_open caps it): ask for enough.
    wanted = max(soft, needed) if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError) as error:
            log.warning(
                "could not raise the open-file limit from %d to %d: %s", soft, wanted, error
            )
    if soft != resource.RLIM_INFINITY and soft < needed:
        log.warning(
            "the open-file limit is %d, below the %d that FILMFLARE_MAX_CONNECTIONS=%d needs "
            "per worker; raise it (ulimit -n, the container's nofile limit) or lower the setting",
            soft,
            needed,
            max_connections,
        )
    return soft
