"""What the web endpoints share (:class:`WebState`): the background jobs, the journal and the
cross-sections already drawn. Its own module so that the app and the routers it mounts
import it from below, not from each other."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from estim.journal import Journal
    from estim.stimulator import Jobs

__all__ = ["WebState"]

#: Cross-sections kept (about 0.1 MB each): as many programs as the jobs remember.
_SECTIONS_KEPT = 16


class WebState:
    """What the endpoints share: the background jobs, the journal (opened on first use,
    so that the device works even when the database cannot be reached) and the
    cross-sections already drawn, by job id."""

    def __init__(self, *, database_url: str | None, jobs: Jobs | None) -> None:
        from estim.stimulator import Jobs

        self.own_jobs = jobs is None
        self.jobs = jobs if jobs is not None else Jobs()
        self.database_url = database_url
        #: the last :data:`_SECTIONS_KEPT` cross-sections drawn, oldest first
        self.sections: OrderedDict[str, dict[str, object]] = OrderedDict()
        self._journal: Journal | None = None
        self._lock = threading.Lock()

    def journal(self) -> Journal:
        from estim.journal import Journal

        with self._lock:
            if self._journal is None:
                self._journal = Journal(self.database_url)
            return self._journal

    def keep_section(self, job: str, section: dict[str, object]) -> None:
        self.sections[job] = section
        while len(self.sections) > _SECTIONS_KEPT:
            self.sections.popitem(last=False)

    def close(self) -> None:
        if self.own_jobs:
            self.jobs.close()
        with self._lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None
