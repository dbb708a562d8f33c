"""The built docs site (`make docs`) in headless Chromium.

Served from site/ on a loopback port, as a reader's browser would get it:
pages render with no console errors (nothing fails to load, no script
throws) and the search finds the layer. Needs `make docs` first; with
CI=true a missing site/ fails the run instead of skipping it.
"""

import functools
import http.server
import os
import pathlib
import threading

import pytest

from tests.chromium import chromium_driver, console_errors, screenshot, wait

pytestmark = pytest.mark.browser

SITE = pathlib.Path(__file__).resolve().parents[2] / "site"
PAGES = {
    "home": "",
    "API reference": "api/layers/",
    "walkthrough": "walkthrough/",
    "home in Chinese": "zh/",
    "walkthrough in Chinese": "zh/walkthrough/",
}


@pytest.fixture(scope="module")
def site_url():
    if not (SITE / "index.html").exists():
        reason = "site/ is not built: run `make docs` first."
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    thread.join(timeout=30)
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium_driver(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_no_console_errors(browser, site_url, page, tmp_path):
    from selenium.webdriver.common.by import By

    console_errors(browser)  # what earlier pages logged
    browser.get(site_url + PAGES[page])
    wait(
        browser,
        lambda d: d.execute_script("return document.readyState") == "complete",
    )
    article = browser.find_element(By.CSS_SELECTOR, "article.md-content__inner")
    assert article.find_element(By.TAG_NAME, "h1").text
    assert console_errors(browser) == []
    screenshot(browser, tmp_path, f"docs-{page.replace(' ', '-')}.png")


def test_walkthrough_shows_its_stored_outputs(browser, site_url):
    from selenium.webdriver.common.by import By

    browser.get(site_url + PAGES["walkthrough"])
    outputs = browser.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")
    images = browser.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output img")
    assert len(outputs) >= 20 and images


def _search(browser, url, text):
    from selenium.webdriver.common.by import By

    browser.get(url)
    query = wait(
        browser,
        lambda d: d.find_element(By.CSS_SELECTOR, "input.md-search__input"),
    )
    query.click()
    query.send_keys(text)
    return wait(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, ".md-search-result__item"),
    )


def test_search_finds_the_layer(browser, site_url, tmp_path):
    from selenium.webdriver.common.by import By

    console_errors(browser)
    results = _search(browser, site_url, "AttentionPooling")
    assert any("AttentionPooling" in result.text for result in results)
    links = [
        link.get_attribute("href")
        for link in browser.find_elements(
            By.CSS_SELECTOR, ".md-search-result__link"
        )
    ]
    assert any("/api/" in link for link in links)
    assert console_errors(browser) == []
    screenshot(browser, tmp_path, "docs-search.png")


def test_language_switch_keeps_the_page(browser, site_url):
    from selenium.webdriver.common.by import By

    browser.get(site_url + "getting-started/")
    link = browser.find_element(
        By.CSS_SELECTOR, 'a.md-select__link[hreflang="zh"]'
    )
    assert link.get_attribute("href") == site_url + "zh/getting-started/"
    browser.get(link.get_attribute("href"))
    assert (
        browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh"
    )


def test_search_finds_chinese_words(browser, site_url):
    # Chinese has no spaces: jieba splits it into words when the site is built.
    results = _search(browser, site_url + "zh/", "变长")
    assert any("变长" in result.text for result in results)
    assert console_errors(browser) == []
