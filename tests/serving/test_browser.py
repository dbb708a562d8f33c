"""The explorer driven in headless Chromium (Debian's chromium + driver).

Run by `make test-browser` (and in CI, where a missing Chromium fails the
run). Screenshots go to $ATTENTION_TF_SCREENSHOTS, else the test's
temporary folder.
"""

import httpx
import numpy as np
import pytest

from tests.chromium import chromium_driver, console_errors, screenshot, wait

pytestmark = pytest.mark.browser

REVIEW = "The plot was awful and boring. The actor was dull but I loved it!"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium_driver(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


def _spans(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def test_the_page_loads_with_no_console_errors(browser, explorer):
    from selenium.webdriver.common.by import By

    url, _ = explorer
    console_errors(browser)  # what earlier pages logged
    browser.get(url + "/")
    wait(browser, lambda d: d.find_element(By.ID, "text").is_displayed())
    # The icon the page names (a missing /favicon.ico used to log a 404).
    icon = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(document.querySelector('link[rel=icon]').href)"
        ".then(r => done(r.status), e => done(String(e)));"
    )
    assert icon == 200
    assert console_errors(browser) == []


def test_typed_review_is_shaded_by_attention_then_gradients(
    browser, explorer, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    url, _ = explorer
    expected = httpx.post(
        f"{url}/api/classify",
        json={"texts": [REVIEW], "methods": ["integrated_gradients"]},
        timeout=60,
    ).json()["results"][0]
    browser.get(url + "/")
    wait(browser, lambda d: d.find_element(By.ID, "text").is_displayed())
    browser.find_element(By.ID, "text").send_keys(REVIEW)
    browser.find_element(By.ID, "classify").click()
    wait(browser, lambda d: _spans(d, "#words .word"))

    spans = _spans(browser, "#words .word")
    assert [s.text for s in spans] == expected["words"]
    weights = np.array([float(s.get_attribute("data-value")) for s in spans])
    np.testing.assert_allclose(weights.sum(), 1.0, atol=1e-5)
    np.testing.assert_allclose(weights, expected["attention"], atol=1e-6)
    heaviest = spans[int(np.argmax(weights))]
    assert heaviest.value_of_css_property("background-color") == (
        "rgba(255, 140, 0, 1)"
    )
    label = expected["label"]
    assert (
        f"Prediction: {label}" in browser.find_element(By.ID, "prediction").text
    )

    Select(browser.find_element(By.ID, "method")).select_by_value(
        "integrated_gradients"
    )
    spans = _spans(browser, "#words .word")
    assert {s.get_attribute("data-method") for s in spans} == {
        "integrated_gradients"
    }
    values = [float(s.get_attribute("data-value")) for s in spans]
    np.testing.assert_allclose(
        values, expected["integrated_gradients"], atol=1e-6
    )
    assert "Integrated gradients" in browser.find_element(By.ID, "legend").text
    screenshot(browser, tmp_path, "explorer-classifier.png")


def test_hovering_an_output_word_highlights_its_source_words(
    browser, explorer, tmp_path
):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    url, _ = explorer
    sentence = "el gato come pescado"
    expected = httpx.post(
        f"{url}/api/translate", json={"texts": [sentence]}, timeout=60
    ).json()["results"][0]
    browser.get(url + "/")
    source = wait(browser, lambda d: d.find_element(By.ID, "source"))
    wait(browser, lambda d: source.is_displayed())
    source.send_keys(sentence)
    browser.find_element(By.ID, "translate").click()
    wait(browser, lambda d: _spans(d, "#translation .out-word"))

    outputs = _spans(browser, "#translation .out-word")
    assert [o.text for o in outputs] == expected["words"]
    for index in (0, len(outputs) - 1):
        ActionChains(browser).move_to_element(outputs[index]).perform()
        assert "active" in outputs[index].get_attribute("class")
        weights = [
            float(s.get_attribute("data-weight"))
            for s in _spans(browser, "#source-words .word")
        ]
        np.testing.assert_allclose(
            weights, expected["attention"][index], atol=1e-6
        )
        np.testing.assert_allclose(sum(weights), 1.0, atol=1e-5)
    cells = _spans(browser, "#alignment tbody td")
    assert len(cells) == len(expected["words"]) * len(expected["source_words"])
    screenshot(browser, tmp_path, "explorer-translator.png")
