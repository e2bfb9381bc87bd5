import pandas as pd

from pages import _sentiment_figures as figures


def test_the_accuracy_axis_stays_between_0_and_100_percent_even_for_one_point():
    # One epoch gives one point, around which plotly's autorange would otherwise run from about −20 % to 85 %.
    rows = pd.DataFrame({"model": ["FastText"], "epoch": [1], "valid_accuracy": [0.73], "valid_loss": [0.6],
                         "epoch_seconds": [1.2]})
    axis = figures.accuracy_curves(rows).layout.yaxis
    assert (axis.autorangeoptions.clipmin, axis.autorangeoptions.clipmax) == (0, 1)
    assert axis.tickformat == ".0%"
