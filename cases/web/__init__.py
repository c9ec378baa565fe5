"""Server-rendered pages: the reviewer dashboard, the liaison portal, NSPA's page and the case page."""
