"""The console as a person uses it: headless Chromium driven by Selenium. An admin finds a user by email, confirms
them, resets their password, adds them to a group and deletes them (with the confirmation step); the activity view
refreshes itself; a console bound to a non-loopback address asks for a credential.

SQLite only: these are a page's tests (what a person sees and clicks); the same actions are proven on both databases
over HTTP by test_console.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.api.test_inbox_browser import browser  # noqa: F401 - the module's Chromium fixture
from tests.helpers import email, sign_up
from userpool.testing import LocalUserpool

pytestmark = pytest.mark.databases("sqlite")
CONSOLE = "/_userpool/console"


def wait_for(driver: Any, css: str) -> Any:
    return WebDriverWait(driver, 15).until(lambda b: b.find_elements(By.CSS_SELECTOR, css))[0]


def submit(driver: Any, css: str) -> None:
    """Click a form's button and wait for the next page."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(driver, 15).until(lambda b: old.id != b.find_element(By.TAG_NAME, "html").id)


def test_find_confirm_reset_group_and_delete_a_user(browser, cognito, make_pool, make_app_client, server):  # noqa: F811
    pool = make_pool(PoolName="console-browser", AutoVerifiedAttributes=["email"])
    client_id = make_app_client(pool["Id"])["ClientId"]
    sign_up(cognito, client_id, "uma", UserAttributes=email("uma@example.com"))
    sign_up(cognito, client_id, "victor", UserAttributes=email("victor@example.com"))
    cognito.create_group(UserPoolId=pool["Id"], GroupName="staff")

    # Find the user by email from the pools page.
    browser.get(f"{server.url}{CONSOLE}")
    users_link = f'tr[data-pool="{pool["Id"]}"] a[data-user-count]'
    while not browser.find_elements(By.CSS_SELECTOR, users_link):  # the session's store may hold more pools than a page
        submit(browser, 'a[href^="?token="]')  # "More pools"
    browser.find_element(By.CSS_SELECTOR, users_link).click()
    search = wait_for(browser, "input#q")
    search.send_keys("uma@example")
    submit(browser, "form.search button")
    [row] = browser.find_elements(By.CSS_SELECTOR, "tr[data-user]")
    assert row.get_attribute("data-user") == "uma"
    row.find_element(By.TAG_NAME, "a").click()
    assert wait_for(browser, "[data-username]").text == "uma"
    assert browser.find_element(By.CSS_SELECTOR, "[data-status]").text == "UNCONFIRMED"

    # Confirm them.
    submit(browser, 'button[data-action="confirm"]')
    assert browser.find_element(By.CSS_SELECTOR, "[data-done]").text == "The user is confirmed."
    assert browser.find_element(By.CSS_SELECTOR, "[data-status]").text == "CONFIRMED"
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="uma")["UserStatus"] == "CONFIRMED"

    # Reset their password: refused while their email is unverified (AWS's message on the page), then done.
    submit(browser, 'button[data-action="reset-password"]')
    assert browser.find_element(By.CSS_SELECTOR, "[data-error-type]").text == "InvalidParameterException"
    assert browser.find_element(By.CSS_SELECTOR, "[data-error-message]").text == (
        "Cannot reset password for the user as there is no registered/verified email or phone_number"
    )
    browser.find_element(By.ID, "attr-name").send_keys("email_verified")
    browser.find_element(By.ID, "attr-value").send_keys("true")
    submit(browser, "form[action$='update-attribute'] button")
    submit(browser, 'button[data-action="reset-password"]')
    assert "The password was reset" in browser.find_element(By.CSS_SELECTOR, "[data-done]").text
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="uma")["UserStatus"] == "RESET_REQUIRED"

    # Add them to a group, by keyboard.
    group = browser.find_element(By.ID, "group")
    group.send_keys("staff")
    old = browser.find_element(By.TAG_NAME, "html")
    group.submit()
    WebDriverWait(browser, 15).until(lambda b: old.id != b.find_element(By.TAG_NAME, "html").id)
    assert [g.text for g in browser.find_elements(By.CSS_SELECTOR, "[data-group]")] == ["staff"]
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool["Id"], Username="uma")["Groups"]
    assert [g["GroupName"] for g in groups] == ["staff"]

    # Delete them, through the confirmation step.
    browser.find_element(By.CSS_SELECTOR, 'a[data-action="delete"]').click()
    wait_for(browser, "button[data-confirm-delete]")
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="uma")["Username"] == "uma"  # only asked
    submit(browser, "button[data-confirm-delete]")
    assert browser.find_element(By.CSS_SELECTOR, "[data-done]").text == "The user was deleted."
    assert [r.get_attribute("data-user") for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-user]")] == ["victor"]


def test_the_activity_view_refreshes_itself(browser, cognito, make_pool, make_app_client, server):  # noqa: F811
    pool = make_pool(PoolName="console-activity")
    client_id = make_app_client(pool["Id"])["ClientId"]
    browser.get(f"{server.url}{CONSOLE}/activity?pool={pool['Id']}")
    wait_for(browser, "table[data-activity]")
    with pytest.raises(cognito.exceptions.InvalidPasswordException):  # refused by the policy, after the page loaded
        sign_up(cognito, client_id, "walt", password="weakpassword1")
    WebDriverWait(browser, 15).until(
        lambda b: "InvalidPasswordException" in b.find_element(By.ID, "activity-rows").text
    )
    row = browser.find_element(By.ID, "activity-rows").find_elements(By.TAG_NAME, "tr")[0]
    assert "SignUp" in row.text and "walt" in row.text
    assert "Password did not conform with policy" in row.text
    assert "Live" in browser.find_element(By.ID, "live").text


@pytest.fixture
def remote(tmp_path: Path, server: LocalUserpool) -> Iterator[LocalUserpool]:
    found = LocalUserpool(
        tmp_path / "data",
        clock_control=True,
        host="0.0.0.0",
        database_url=server.database_url,
        secret_key_file=server.data_dir / "secret.key",
        console_password="correct horse battery",
    ).start()
    yield found
    found.stop()


def test_a_non_loopback_console_asks_for_its_password(browser, remote):  # noqa: F811
    browser.delete_all_cookies()
    browser.get(f"{remote.url}{CONSOLE}/activity")
    password = wait_for(browser, "input#password")
    assert "/login" in browser.current_url
    password.send_keys("not the password")
    submit(browser, ".login button")
    assert browser.find_element(By.CSS_SELECTOR, "[data-login-error]").text == "Those credentials are not right."
    browser.find_element(By.ID, "password").send_keys("correct horse battery")
    submit(browser, ".login button")
    assert browser.current_url.endswith(f"{CONSOLE}/activity")
    assert browser.find_element(By.CSS_SELECTOR, "[data-who]").text == "console-password"
    submit(browser, ".who button")
    assert "/login" in browser.current_url
