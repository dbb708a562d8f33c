"""The explorer driven in headless Chromium (Debian's chromium + driver).

Run by `make test-browser` (and in CI, where a missing Chromium fails the
run). Screenshots go to $ATTENTION_TF_SCREENSHOTS, else the test's
temporary folder.
"""

import os
import shutil

import httpx
import numpy as np
import pytest

pytestmark = pytest.mark.browser

REVIEW = "The plot was awful and boring. The actor was dull but I loved it!"
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,1000",
)


def _executable(*names):
    return next(filter(None, map(shutil.which, names)), None)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = _executable("chromium", "chromium-browser")
    driver_path = _executable("chromedriver")
    if chromium is None or driver_path is None:
        reason = (
            "Chromium and chromedriver are not installed "
            "(apt-get install chromium chromium-driver)."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    profile = tmp_path_factory.mktemp("chromium-profile")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    yield driver
    driver.quit()


def _wait(driver, condition, seconds=60):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(condition)


def _screenshot(driver, tmp_path, name):
    folder = os.environ.get("ATTENTION_TF_SCREENSHOTS") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    assert driver.save_screenshot(path)
    print(f"screenshot: {path}")


def _spans(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


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
    _wait(browser, lambda d: d.find_element(By.ID, "text").is_displayed())
    browser.find_element(By.ID, "text").send_keys(REVIEW)
    browser.find_element(By.ID, "classify").click()
    _wait(browser, lambda d: _spans(d, "#words .word"))

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
    _screenshot(browser, tmp_path, "explorer-classifier.png")


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
    source = _wait(browser, lambda d: d.find_element(By.ID, "source"))
    _wait(browser, lambda d: source.is_displayed())
    source.send_keys(sentence)
    browser.find_element(By.ID, "translate").click()
    _wait(browser, lambda d: _spans(d, "#translation .out-word"))

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
    _screenshot(browser, tmp_path, "explorer-translator.png")
