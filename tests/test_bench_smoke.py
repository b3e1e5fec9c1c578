"""The benchmark harness runs end to end (a tiny run: a few requests, no peers, no large pools), so it cannot rot.

No timing is asserted: speed is reported by ``python -m bench``, never a pass/fail gate. What is asserted is that
every part measured real answers from a real server and that the results were written."""

from __future__ import annotations

import json
from pathlib import Path

from bench import load
from bench.run import main


def test_requests_are_the_ones_boto3_sends() -> None:
    """The generator's SignUp is botocore's own serialization: target header, content type and JSON body."""
    request = load.Serializer().request(
        "SignUp", {"ClientId": "abc", "Username": "alice", "Password": "Passw0rd!", "UserAttributes": []}
    )
    assert request.headers["X-Amz-Target"] == "AWSCognitoIdentityProviderService.SignUp"
    assert request.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert json.loads(request.body) == {
        "ClientId": "abc",
        "Username": "alice",
        "Password": "Passw0rd!",
        "UserAttributes": [],
    }


def test_smoke_run_writes_json_and_markdown(tmp_path: Path) -> None:
    results = main(["--smoke", "--out", str(tmp_path)])

    assert results["hash"]["hash_ms"] > 0 and results["hash"]["bound_per_s"] > 0
    for row in results["signup"]:
        assert row["ok"] > 0 and row["errors"] == {}, row
    assert [row["flow"] for row in results["signin"]] == ["USER_PASSWORD_AUTH", "USER_SRP_AUTH"]
    for row in results["signin"]:
        assert row["ok"] > 0 and row["errors"] == {} and row["of_capacity"] > 0, row
    (scale,) = results["scale"]
    assert scale["users"] == 100
    assert scale["signup"]["ok"] == scale["confirm"]["ok"] == 5 and scale["confirm"]["errors"] == {}
    assert scale["database_mb"] > 0 and scale["server_rss_mb"] > 0
    assert results["startup"]["existing_store_median_s"] > 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert [p.rsplit(".", 1)[1] for p in written] == ["json", "md"]
    markdown = (tmp_path / written[1]).read_text()
    for heading in (
        "## Machine and run",
        "## 1. SignUp against",
        "## 1b. Sign-in against",
        "## 3. Scale",
        "## 4. Start-up",
    ):
        assert heading in markdown
    assert json.loads((tmp_path / written[0]).read_text())["signup"] == results["signup"]
