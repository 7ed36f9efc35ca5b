# IPython configuration of the kernels that execute the book's chapters.
# conf.py points IPYTHONDIR here and hashes this file into the notebook cache
# key, so a change here re-executes every chapter.
c = get_config()  # noqa: F821  (provided by IPython)

# Quiet kernels: no "running over TCP without encryption" log, plain tracebacks.
c.IPKernelApp.log_level = "ERROR"
c.InteractiveShell.colors = "nocolor"

# Figures as SVG (sharp, light) with no date and fixed element ids, so that
# two builds of the same commit give byte-identical pages.
c.InlineBackend.figure_formats = {"svg"}
c.InlineBackend.print_figure_kwargs = {
    "bbox_inches": "tight",
    # Text and lines stay vectors; an image drawn smoothed (not with
    # interpolation="none") is embedded at 2 pixels per CSS pixel.
    "dpi": 192,
    "metadata": {"Date": None},
    "facecolor": "white",
}
c.InlineBackend.rc = {
    "svg.hashsalt": "convbook",
    "svg.fonttype": "path",
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": 100,
    "font.size": 10,
}
