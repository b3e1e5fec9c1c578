"""The inbox as a person uses it: headless Chromium (Debian's chromium and chromium-driver) driven by Selenium.

In CI (``CI=true``) a missing Chromium fails these tests: ``.ci/run`` installs it. Elsewhere they skip, saying how to
install it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.helpers import email, sign_up

# A page's test (what a person sees and clicks in Chromium); the store behind it is proven on both databases by the
# API tests of the same operations (test_inbox, test_confirm_link). SQLite only.
pytestmark = pytest.mark.databases("sqlite")

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"
SCREENSHOT = Path("/tmp/userpool-inbox.png")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        missing = f"Chromium is missing ({CHROMIUM}, {CHROMEDRIVER}); install it: {INSTALL}"
        if in_ci():
            pytest.fail(missing)
        pytest.skip(missing)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1100,900",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_read_the_code_in_the_inbox_and_confirm_with_it(browser, cognito, make_pool, make_app_client, server):
    pool = make_pool(PoolName="browser-code", AutoVerifiedAttributes=["email"])
    client_id = make_app_client(pool["Id"])["ClientId"]
    sign_up(cognito, client_id, username="carol", UserAttributes=email("carol@example.com"))

    browser.get(f"{server.url}/_userpool/inbox")
    pool_choice = browser.find_element(By.ID, "pool")
    pool_choice.find_element(By.CSS_SELECTOR, f'option[value="{pool["Id"]}"]').click()
    browser.find_element(By.ID, "username").send_keys("carol")
    browser.find_element(By.CSS_SELECTOR, "form.filter button").click()
    WebDriverWait(browser, 15).until(lambda b: "username=carol" in b.current_url)  # the filtered page has loaded

    [card] = browser.find_elements(By.CSS_SELECTOR, "article.message")
    assert "carol@example.com" in card.text
    code = card.find_element(By.CSS_SELECTOR, "[data-code]").text
    assert len(code) == 6 and code.isdigit()
    browser.save_screenshot(str(SCREENSHOT))

    cognito.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=code)
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="carol")["UserStatus"] == "CONFIRMED"


def test_click_the_confirmation_link_in_the_inbox(browser, cognito, make_pool, make_app_client, server):
    pool = make_pool(
        PoolName="browser-link",
        AutoVerifiedAttributes=["email"],
        VerificationMessageTemplate={"DefaultEmailOption": "CONFIRM_WITH_LINK"},
    )
    client_id = make_app_client(pool["Id"])["ClientId"]
    sign_up(cognito, client_id, username="dave", UserAttributes=email("dave@example.com"))

    browser.get(f"{server.url}/_userpool/inbox?userPoolId={pool['Id']}")
    [card] = browser.find_elements(By.CSS_SELECTOR, "article.message")
    assert "Your verification link" in card.text
    card.find_element(By.CSS_SELECTOR, "a[data-confirm-link]").click()

    heading = browser.find_element(By.TAG_NAME, "h1")
    assert heading.text == "Your registration has been confirmed"
    assert browser.find_element(By.CSS_SELECTOR, "[data-outcome]").get_attribute("data-outcome") == "confirmed"
    browser.save_screenshot(str(SCREENSHOT.with_name("userpool-confirmed.png")))
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="dave")["UserStatus"] == "CONFIRMED"
