"""Reports: terminal summary, results JSON, self-contained HTML, figures."""

from estim.report.html import render_html
from estim.report.plots import figure_to_png, plot_waveforms
from estim.report.run import result_to_dict
from estim.report.terminal import render_summary

__all__ = ["figure_to_png", "plot_waveforms", "render_html", "render_summary", "result_to_dict"]
