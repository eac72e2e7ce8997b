"""A generated government portal to crawl offline: ``build_site`` makes it, ``PortalServer`` serves it.

See site.py for what the portal holds and the truth it carries (``expected_reports``), and
plan.py for where each report, look-alike and trap lives.
"""

from .site import Page, Site, build_foreign_site, build_site

__all__ = ["Page", "PortalServer", "Site", "build_foreign_site", "build_site"]


def __getattr__(name: str):
    if name == "PortalServer":  # the server pulls in http.server only when asked for
        from .server import PortalServer

        return PortalServer
    raise AttributeError(name)
