import pandas as pd

from pages import _sentiment_figures as figures


def test_the_accuracy_axis_stays_between_0_and_100_percent_even_for_one_point():
    # One epoch gives one point, around which plotly's autorange would otherwise run from about −20 % to 85 %.
    rows = pd.DataFrame({"model": ["FastText"], "epoch": [1], "valid_accuracy": [0.73], "valid_loss": [0.6],
                         "epoch_seconds": [1.2]})
    axis = figures.accuracy_curves(rows).layout.yaxis
    assert (axis.autorangeoptions.clipmin, axis.autorangeoptions.clipmax) == (0, 1)
    assert axis.tickformat == ".0%"


def test_a_loss_curve_of_one_report_is_drawn_as_a_point_and_longer_ones_as_lines():
    # One epoch of one batch leaves a single report: as a line it would draw nothing at all.
    def rows(n: int) -> pd.DataFrame:
        return pd.DataFrame({"model": ["FastText"] * n, "progress": [i + 1.0 for i in range(n)], "loss": [0.7] * n,
                             "epoch": [i + 1 for i in range(n)], "batch": [1] * n, "accuracy": [0.5] * n})
    assert figures.loss_curves(rows(1)).data[0].mode == "markers"
    assert figures.loss_curves(rows(3)).data[0].mode == "lines"
