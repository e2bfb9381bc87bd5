"""Embedding space in a real browser: upload a projector TSV, project it with PCA in 3D, count the points drawn."""

from __future__ import annotations

import numpy as np

from engine import format_writers
from tests.conftest import VECTORS_FOLDER_WORDS, open_expander, wait_for_app

POINTS = 30


def test_upload_a_projector_tsv_and_project_it_in_3d(page, app_url, tmp_path):
    rng = np.random.default_rng(1)
    words = [f"token{i}" for i in range(POINTS)]
    vectors_tsv = tmp_path / "vectors.tsv"
    metadata_tsv = tmp_path / "metadata.tsv"
    vectors_tsv.write_bytes(format_writers.write_projector_vectors(rng.normal(size=(POINTS, 8))))
    metadata_tsv.write_bytes(format_writers.write_projector_metadata(words, {"group": [str(i % 3) for i in range(POINTS)]}))

    page.goto(f"{app_url}/embedding_space")
    wait_for_app(page)
    open_expander(page, "Add vectors from a file")
    uploads = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploads.nth(0).set_input_files(str(vectors_tsv))
    uploads.nth(1).set_input_files(str(metadata_tsv))
    wait_for_app(page)
    name = page.get_by_label("Name in the lab")
    name.fill("Browser upload")
    name.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Add to the lab").click()
    wait_for_app(page)
    page.locator('[data-testid="stAlert"]').filter(has_text="Added “Browser upload”: 30 words × 8").wait_for()

    page.get_by_text("3D", exact=True).click()
    wait_for_app(page)
    page.get_by_role("button", name="Project", exact=True).click()
    wait_for_app(page)
    page.get_by_text(f"Drawn: {POINTS} of {POINTS} projected words").wait_for()
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for()
    drawn = chart.evaluate(
        "plot => plot._fullData.filter(t => t.type === 'scatter3d' && t.mode === 'markers')"
        ".reduce((n, t) => n + t.x.length, 0)"
    )
    assert drawn == POINTS
    assert "Browser upload" in chart.locator(".gtitle").text_content()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_junk_upload_is_refused_and_the_page_keeps_working(page, app_url, tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 4)
    page.goto(f"{app_url}/embedding_space")
    wait_for_app(page)
    open_expander(page, "Add vectors from a file")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').nth(0).set_input_files(str(junk))
    wait_for_app(page)
    page.get_by_role("button", name="Add to the lab").click()
    wait_for_app(page)
    page.locator('[data-testid="stAlert"]').filter(has_text="junk.bin was not added").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_precomputed_coordinates_from_a_csv(page, app_url, tmp_path):
    csv = tmp_path / "coords.csv"
    csv.write_text("word,x,y\nthe,0,0\nof,1,0\nand,0,1\nunicornish,5,5\n")
    page.goto(f"{app_url}/embedding_space")
    wait_for_app(page)
    page.get_by_text("Coordinates from a CSV", exact=True).click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').last.set_input_files(str(csv))
    wait_for_app(page)
    page.get_by_role("button", name="Project", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Drawn: 3 of 3 projected words").wait_for()
    page.get_by_text("1 CSV word(s) not in this set were left out").wait_for()
    drawn = page.locator(".js-plotly-plot").first.evaluate(
        "plot => plot._fullData.filter(t => t.mode === 'markers').reduce((n, t) => n + t.x.length, 0)"
    )
    assert drawn == 3


def project_glove(page, app_url: str, words: int = 1000) -> None:
    """Open the page, type how many GloVe words to project, press Project and wait for the map."""
    page.goto(f"{app_url}/embedding_space")
    wait_for_app(page)
    count = page.get_by_label("Words to project", exact=True).and_(page.locator("input"))
    count.fill(str(words))
    count.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Project", exact=True).click()
    wait_for_app(page)
    page.get_by_text(f"Drawn: {words:,} of {words:,} projected words").wait_for()


def test_lasso_selection_lists_the_words_and_can_be_isolated(page, app_url):
    project_glove(page, app_url)
    plot_area = page.locator(".js-plotly-plot .nsewdrag").first
    plot_area.scroll_into_view_if_needed()
    area = plot_area.bounding_box()
    # A lasso around the middle of the plot, drawn the way a person drags the mouse.
    left, top = area["x"] + area["width"] * 0.3, area["y"] + area["height"] * 0.3
    right, bottom = area["x"] + area["width"] * 0.7, area["y"] + area["height"] * 0.7
    page.mouse.move(left, top)
    page.mouse.down()
    for x, y in [(right, top), (right, bottom), (left, bottom), (left, top + 2)]:
        page.mouse.move(x, y, steps=8)
    page.mouse.up()
    wait_for_app(page)
    heading = page.get_by_text("Selection ·").first
    heading.wait_for()
    selected = int(heading.inner_text().split("·")[1].split()[0].replace(",", ""))
    assert 0 < selected < 1000
    page.get_by_role("button", name=f"Isolate {selected:,} selected").click()
    wait_for_app(page)
    page.get_by_text(f"Drawn: {selected:,} of {selected:,} projected words").wait_for()


def test_colour_by_trust_and_see_a_words_true_neighbours(page, app_url):
    project_glove(page, app_url)
    page.get_by_text("Trust: trustworthiness").wait_for()
    page.get_by_label("Colour by").click()
    page.get_by_role("option", name="Trust (neighbours kept)").click()
    wait_for_app(page)
    word = page.get_by_label("Neighbours of")
    word.fill("king")
    word.press("Enter")
    wait_for_app(page)
    sentence = page.get_by_text("of its 10 neighbours")
    sentence.wait_for()
    far = int(sentence.text_content().split(" of ")[0])
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for()
    lines = chart.evaluate("plot => plot._fullData.filter(t => t.mode === 'lines').map(t => [t.name, t.x.filter(x => x !== null).length / 2])")
    drawn = {name.split(",")[1].split("(")[0].strip(): segments for name, segments in lines}
    assert drawn.get("put far away", 0) == far and drawn.get("kept near", 0) == 10 - far  # a line per true neighbour
    colours = chart.evaluate("plot => plot._fullData[0].marker.colorbar.title.text")
    assert colours == "of 10 neighbours kept"
    assert page.locator('[data-testid="stException"]').count() == 0


def test_open_a_file_from_the_vectors_folder_and_project_it(page, app_url):
    page.goto(f"{app_url}/embedding_space")
    wait_for_app(page)
    open_expander(page, "Open a large file from the vectors folder")
    page.get_by_role("button", name="Open in the lab", exact=True).wait_for()
    chosen = page.locator('[data-testid="stSelectbox"]').filter(has_text="File").locator("input")
    assert chosen.input_value().startswith("small.vec · 0.")
    page.get_by_role("button", name="Open in the lab", exact=True).click()
    page.locator('[data-testid="stAlert"]').filter(has_text="Read small.vec").wait_for(timeout=60_000)
    wait_for_app(page)
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Embedding set").locator("input")
    assert picker.input_value().startswith(f"small.vec · {VECTORS_FOLDER_WORDS:,} × 16 · vectors folder")
    page.get_by_role("button", name="Project", exact=True).click()
    wait_for_app(page)
    page.get_by_text(f"the set has {VECTORS_FOLDER_WORDS:,}").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_large_map_draws_every_word_hovers_and_selects(page, app_url):
    from pages._point_map import POINT_MAP_FROM

    words = POINT_MAP_FROM + 1_000
    project_glove(page, app_url, words)
    drawn = page.locator(f'.pm[data-drawn="{words}"]')
    drawn.wait_for()
    stage = page.locator("canvas.pm-overlay")
    stage.scroll_into_view_if_needed()
    area = stage.bounding_box()
    centre = (area["x"] + area["width"] * 0.45, area["y"] + area["height"] * 0.6)
    for dx in range(0, 200, 10):  # move along until the pointer is over a word
        page.mouse.move(centre[0] + dx, centre[1])
        if page.locator(".pm-tip").is_visible():
            break
    assert " · row " in page.locator(".pm-tip").inner_text()
    page.get_by_role("button", name="Box select").click()
    page.mouse.move(*centre)
    page.mouse.down()
    page.mouse.move(centre[0] + 120, centre[1] + 90, steps=10)
    page.mouse.up()
    wait_for_app(page)
    heading = page.get_by_text("Selection ·").first
    heading.wait_for()
    selected = int(heading.inner_text().split("·")[1].split()[0].replace(",", ""))
    assert 0 < selected < words and drawn.get_attribute("data-selected") == str(selected)
    colour = page.locator('[data-testid="stSelectbox"]').filter(has_text="Colour by").locator("input")
    colour.click()  # a new colouring of the same points keeps the selection
    colour.press_sequentially("Search match")  # typed: with the page scrolled, the menu does not open on a click
    colour.press("Enter")
    wait_for_app(page)
    page.locator(".pm-legend-title", has_text="search").wait_for()  # recoloured…
    assert page.get_by_text(f"Selection · {selected:,} words").is_visible()  # …and still selected
    assert drawn.get_attribute("data-selected") == str(selected)
    stage.dblclick(position={"x": 5, "y": 5})  # double-click clears it
    wait_for_app(page)
    page.get_by_text("Selection ·").wait_for(state="detached")
    with page.expect_download() as download:  # the map's own PNG of the view
        page.get_by_role("button", name="PNG", exact=True).click()
    picture = download.value.path().read_bytes()
    assert picture.startswith(b"\x89PNG") and len(picture) > 20_000 and download.value.suggested_filename.endswith(".png")
    assert page.locator('[data-testid="stException"]').count() == 0
