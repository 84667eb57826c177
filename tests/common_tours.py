"""One way for the HttpCase tests to start a tour."""


class TourMixin:
    """``run_tour`` for HttpCase tests that start the tours of static/tests/tours/."""

    def run_tour(self, url, tour, user):
        """Start ``tour`` at ``url`` logged in as ``user`` (a user or a login): the
        test's writes flushed and their tracking run as if committed (later changes
        are tracked), then the database read afresh."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.start_tour(url, tour, login=user if isinstance(user, str) else user.login)
        self.env.invalidate_all()
