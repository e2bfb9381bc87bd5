"""A fresh server's very first visit may be a deep link; it must still go through the router."""

from tests.conftest import streamlit_server, wait_for_app


def test_a_first_visit_to_a_page_url_shows_the_menu_and_the_page(browser, tmp_path):
    with streamlit_server(tmp_path / "home", tmp_path / "streamlit.log") as url:
        tab = browser.new_page()
        tab.goto(f"{url}/text_to_vectors")
        wait_for_app(tab)
        nav_links = tab.locator('[data-testid="stSidebarNavLink"]').all_text_contents()
        assert any("Home" in link for link in nav_links)
        assert not any("app" == link.strip() for link in nav_links)
        assert tab.locator("h1").filter(has_text="Text → vectors").count() == 1
        assert "Device" in tab.locator('[data-testid="stSidebar"]').inner_text()
        tab.close()
