"""Screenshots of the console's main pages for the README: ``python scripts/console_screenshots.py [out-dir]``.

Starts userpool in this process on a temporary store, fills a demo pool through the API (boto3), and saves
``console-pools.png``, ``console-pool.png``, ``console-users.png``, ``console-user.png`` and
``console-activity.png`` (1200×800, headless Chromium at /usr/bin) into ``docs/`` (or the directory given).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from userpool.testing import LocalUserpool

PASSWORD = "Passw0rd!demo"
PEOPLE = [
    ("alice", "alice@example.com", "Alice", True),
    ("bob", "bob@example.com", "Bob", True),
    ("carol", "carol@example.org", "Carol", False),
    ("dave", "dave@example.net", "Dave", True),
    ("erin", "erin@example.com", "Erin", False),
]


def fill(server: LocalUserpool) -> tuple[str, str]:
    """A demo pool with two clients, groups, users in several states and some refused requests."""
    cognito = server.client()
    pool = cognito.create_user_pool(
        PoolName="acme-customers",
        AutoVerifiedAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireNumbers": True, "RequireSymbols": True}},
    )["UserPool"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
    )
    cognito.create_user_pool(PoolName="internal-staff")
    web = cognito.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="web-app",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    cognito.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="backend",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    for name, precedence in (("admins", 1), ("editors", 5), ("beta-testers", 10)):
        cognito.create_group(UserPoolId=pool["Id"], GroupName=name, Precedence=precedence)
    for username, address, given, confirmed in PEOPLE:
        cognito.sign_up(
            ClientId=web["ClientId"],
            Username=username,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": address}, {"Name": "given_name", "Value": given}],
        )
        if confirmed:
            cognito.confirm_sign_up(
                ClientId=web["ClientId"], Username=username, ConfirmationCode=server.latest_code(pool["Id"], username)
            )
    cognito.admin_create_user(
        UserPoolId=pool["Id"], Username="frank", UserAttributes=[{"Name": "email", "Value": "frank@example.com"}]
    )
    cognito.admin_add_user_to_group(UserPoolId=pool["Id"], Username="alice", GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=pool["Id"], Username="alice", GroupName="editors")
    cognito.admin_disable_user(UserPoolId=pool["Id"], Username="dave")
    for attempt in (
        lambda: cognito.sign_up(ClientId=web["ClientId"], Username="gus", Password="password12"),
        lambda: cognito.sign_up(ClientId=web["ClientId"], Username="alice", Password=PASSWORD),
        lambda: cognito.confirm_sign_up(ClientId=web["ClientId"], Username="carol", ConfirmationCode="000000"),
        lambda: cognito.admin_get_user(UserPoolId=pool["Id"], Username="nobody"),
    ):
        try:
            attempt()
        except cognito.exceptions.ClientError:
            pass
    return pool["Id"], "alice"


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "docs"
    with tempfile.TemporaryDirectory() as tmp:
        server = LocalUserpool(Path(tmp) / "data").start()
        try:
            pool_id, username = fill(server)
            options = webdriver.ChromeOptions()
            options.binary_location = "/usr/bin/chromium"
            for argument in (
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=1200,800",
            ):
                options.add_argument(argument)
            driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
            try:
                base = f"{server.url}/_userpool/console"
                pages = {
                    "pools": base,
                    "pool": f"{base}/pools/{pool_id}",
                    "users": f"{base}/pools/{pool_id}/users",
                    "user": f"{base}/pools/{pool_id}/user?username={username}",
                    "activity": f"{base}/activity",
                }
                for name, url in pages.items():
                    driver.get(url)
                    time.sleep(0.3)
                    driver.save_screenshot(str(out / f"console-{name}.png"))
                    print(out / f"console-{name}.png")
            finally:
                driver.quit()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
