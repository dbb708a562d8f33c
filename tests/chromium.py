"""Headless Chromium for the browser tests (Debian's chromium + driver).

The explorer's tests and the docs site's tests drive the same browser:
nothing is downloaded at test time, and with CI=true a missing browser
fails the run instead of skipping it.
"""

import os
import shutil

import pytest

# The flags that keep Chromium off the network it cannot reach here.
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


def chromium_driver(profile):
    """A Selenium driver for headless Chromium that keeps console logs.

    Skips the test when Chromium or chromedriver is missing, or fails it
    when CI=true. `profile` is an empty folder for the browser's profile.
    """
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
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(driver_path))


def console_errors(driver):
    """The console's errors since the last call (failed loads included)."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE"
    ]


def wait(driver, condition, seconds=60):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(condition)


def screenshot(driver, tmp_path, name):
    """Saves a screenshot in $ATTENTION_TF_SCREENSHOTS, else `tmp_path`."""
    folder = os.environ.get("ATTENTION_TF_SCREENSHOTS") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    assert driver.save_screenshot(path)
    print(f"screenshot: {path}")
