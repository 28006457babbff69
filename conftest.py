"""pytest set-up shared by the package tests and the notebook tests (nbval)."""


try:
    import nbval.plugin as _nbval
except ImportError:  # nbval not installed: the notebook tests are not run
    _nbval = None

if _nbval is not None:
    _init = _nbval.IPyNbFile.__init__

    def _compare_plain_text_only(self, *args, **kwargs):
        # The reference outputs stored in the notebooks are the plain-text facts of each
        # `# NBVAL_CHECK_OUTPUT` cell; the HTML and chart specs beside them are checked by
        # the end-to-end and browser tests instead of being stored in the notebook.
        _init(self, *args, **kwargs)
        self.skip_compare = self.skip_compare + ("text/html", "application/vnd.vegalite.v6+json", "application/vnd.vegalite.v5+json")

    _nbval.IPyNbFile.__init__ = _compare_plain_text_only
