"""Store contract: codes and their attempt limit, confirmation (only from UNCONFIRMED, exactly one of racing
confirmations), attributes and alias claims, and the sign-in state (passwords, history, lockout counters)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tests.store.records import NOW, confirmation, new_code, new_pool, new_user
from userpool.domain.records import Attempts, Code, PasswordChange
from userpool.store import Conflict, Store


async def test_a_code_is_replaced_whole_and_counts_attempts_up_to_its_limit(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann", "ann@example.com"), first := new_code())
    assert await store.get_code(user_id, "signup") == Code(first.code_hash, "email", first.expires_at, 0)
    taken = [await store.take_attempt(user_id, "signup", 3) for _ in range(4)]
    assert [c.failed_attempts if c else None for c in taken] == [1, 2, 3, None]
    assert await store.take_attempt(user_id, "forgot", 3) is None  # no such code

    second = new_code()
    await store.replace_code(user_id, second, NOW + 1)
    assert await store.get_code(user_id, "signup") == Code(second.code_hash, "email", second.expires_at, 0)
    await store.replace_code(user_id, new_code("forgot", None), NOW + 1)
    assert (await store.get_code(user_id, "forgot")).attribute is None


async def test_concurrent_guesses_never_take_more_attempts_than_the_limit(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann"), new_code())
    taken = await asyncio.gather(*(store.take_attempt(user_id, "signup", 5) for _ in range(12)))
    assert sorted(c.failed_attempts for c in taken if c is not None) == [1, 2, 3, 4, 5]
    assert (await store.get_code(user_id, "signup")).failed_attempts == 5


async def test_a_counted_attempt_counts_the_quota_first_and_racing_ones_never_pass_either_limit(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann"), new_code())
    hit = ("user:ConfirmSignUp", f"{pool.id}/{user_id}", 0, NOW + 3600)
    taken = await asyncio.gather(*(store.take_counted_attempt(user_id, "signup", 5, hit, 8) for _ in range(12)))
    assert sorted(count for count, _ in taken) == list(range(1, 13))
    # The first 8 counts took an attempt each, of which 5 found one left; past the quota, none is taken.
    assert sorted(c.failed_attempts for _, c in taken if c is not None) == [1, 2, 3, 4, 5]
    assert all(code is None for count, code in taken if count > 8)
    assert (await store.get_code(user_id, "signup")).failed_attempts == 5
    assert await store.take_counted_attempt(user_id, "forgot", 5, (*hit[:2], 3600, NOW + 7200), 8) == (1, None)


async def test_racing_first_codes_leave_one(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann"))
    codes = [new_code("verify_email") for _ in range(5)]
    await asyncio.gather(*(store.replace_code(user_id, code, NOW) for code in codes))
    assert (await store.get_code(user_id, "verify_email")).code_hash in {c.code_hash for c in codes}


async def test_confirmation_moves_only_from_unconfirmed_verifies_claims_and_uses_the_code(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann", "ann@example.com"), new_code())
    change = confirmation(user_id, verify=["email_verified"], claim_keys=[("email", "ann@example.com")])
    assert await store.confirm(change) is True
    user = await store.get_user(user_id)
    assert (user.status, user.attributes["email_verified"], user.modified_at) == ("CONFIRMED", "true", NOW + 10)
    assert await store.get_code(user_id, "signup") is None
    assert await store.confirm(change) is False  # no longer UNCONFIRMED: nothing written
    assert await store.integrity_check() == []


async def test_of_racing_confirmations_exactly_one_wins(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann"), new_code())
    results = await asyncio.gather(*(store.confirm(confirmation(user_id)) for _ in range(6)))
    assert sorted(results) == [False] * 5 + [True]


async def test_confirming_with_an_alias_another_user_owns_conflicts_unless_forced(store: Store) -> None:
    pool = await new_pool(store)
    owner = await store.create_user(new_user(pool, "owner", status="CONFIRMED", claims=[("email", "a@x.org", False)]))
    await store.update_attributes(owner, {"email": "a@x.org", "email_verified": "true"}, NOW)
    claimant = await store.create_user(new_user(pool, "claimant"), new_code())
    change = confirmation(claimant, verify=["email_verified"], claim_keys=[("email", "a@x.org")])
    with pytest.raises(Conflict) as raised:
        await store.confirm(change)
    assert raised.value.what == "email"
    assert (await store.get_user(claimant)).status == "UNCONFIRMED"  # the whole transaction rolled back
    assert await store.get_code(claimant, "signup") is not None

    assert await store.confirm(confirmation(claimant, claim_keys=[("email", "a@x.org")], force_alias=True)) is True
    assert (await store.find_user_by_key(pool.id, ["email"], "a@x.org")).id == claimant
    assert (await store.get_user(owner)).attributes["email_verified"] == "false"


async def test_a_confirmation_with_a_code_counts_the_attempt_whatever_the_code_and_confirms_once(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann", "ann@example.com"), first := new_code())
    hit = ("user:ConfirmSignUp", f"{pool.id}/{user_id}", 0, NOW + 3600)
    change = confirmation(user_id, verify=["email_verified"], claim_keys=[("email", "ann@example.com")])
    seen: list[Code] = []

    def refuse(code: Code) -> None:
        seen.append(code)

    assert await store.confirm_with_code(user_id, "signup", 5, hit, 15, refuse) == (1, seen[0], False)
    assert seen == [Code(first.code_hash, "email", first.expires_at, 1)]
    assert (await store.get_user(user_id)).status == "UNCONFIRMED"
    assert (await store.get_code(user_id, "signup")).failed_attempts == 1  # a refused code still counts

    # Racing right codes: every one counts, exactly one confirms, and the code is gone with it.
    results = await asyncio.gather(
        *(store.confirm_with_code(user_id, "signup", 5, hit, 15, lambda code: change) for _ in range(6))
    )
    assert sorted(count for count, _, _ in results) == [2, 3, 4, 5, 6, 7]
    assert [done for _, _, done in results].count(True) == 1
    user = await store.get_user(user_id)
    assert (user.status, user.attributes["email_verified"]) == ("CONFIRMED", "true")
    assert await store.get_code(user_id, "signup") is None
    # Past the quota, nothing is asked of the code and no attempt taken.
    assert await store.confirm_with_code(user_id, "signup", 5, hit, 7, refuse) == (8, None, False)
    assert len(seen) == 1


async def test_a_confirmation_with_a_code_that_claims_a_taken_alias_conflicts_and_still_counts_the_attempt(
    store: Store,
) -> None:
    pool = await new_pool(store)
    owner = await store.create_user(new_user(pool, "owner", status="CONFIRMED", claims=[("email", "a@x.org", False)]))
    await store.update_attributes(owner, {"email": "a@x.org", "email_verified": "true"}, NOW)
    claimant = await store.create_user(new_user(pool, "claimant"), new_code())
    change = confirmation(claimant, verify=["email_verified"], claim_keys=[("email", "a@x.org")])
    hit = ("user:ConfirmSignUp", f"{pool.id}/{claimant}", 0, NOW + 3600)
    with pytest.raises(Conflict) as raised:
        await store.confirm_with_code(claimant, "signup", 5, hit, 15, lambda code: change)
    assert raised.value.what == "email"
    assert (await store.get_user(claimant)).status == "UNCONFIRMED"
    assert (await store.get_code(claimant, "signup")).failed_attempts == 1
    assert await store.count_hit(*hit, NOW) == 2
    assert await store.confirm_with_code(claimant, "signup", 5, None, 0, lambda code: None) == (
        0,
        Code((await store.get_code(claimant, "signup")).code_hash, "email", NOW + 86400, 2),
        False,
    )


async def test_attribute_updates_are_one_transaction_and_a_taken_key_writes_nothing(store: Store) -> None:
    pool = await new_pool(store)
    await store.create_user(new_user(pool, "ann", "ann@example.com"))
    bob = await store.create_user(new_user(pool, "bob", "bob@example.com"))
    await store.update_attributes(
        bob,
        {"name": "Bob", "email": "robert@example.com"},
        NOW + 1,
        remove=["email_verified"],
        release_keys=["email"],
        set_keys=[("email", "robert@example.com")],
        new_codes=[new_code("verify_email")],
    )
    user = await store.get_user(bob)
    assert (user.attributes["name"], user.attributes["email"], "email_verified" in user.attributes) == (
        "Bob",
        "robert@example.com",
        False,
    )
    assert (await store.find_user_by_key(pool.id, ["email"], "robert@example.com")).id == bob
    assert await store.find_user_by_key(pool.id, ["email"], "bob@example.com") is None
    assert await store.get_code(bob, "verify_email") is not None

    with pytest.raises(Conflict) as raised:
        await store.update_attributes(
            bob, {"name": "Rob"}, NOW + 2, release_keys=["email"], set_keys=[("email", "ann@example.com")]
        )
    assert raised.value.what == "email"
    assert await store.get_user(bob) == user


async def test_claiming_a_key_replaces_the_users_own_and_moves_another_owners_only_with_force(store: Store) -> None:
    pool = await new_pool(store)
    ann = await store.create_user(
        new_user(pool, "ann", status="CONFIRMED", claims=[("phone_number", "+15550001", False)])
    )
    bob = await store.create_user(new_user(pool, "bob", status="CONFIRMED"))
    await store.claim_key(bob, "phone_number", "+15550002", False, NOW)
    await store.claim_key(bob, "phone_number", "+15550003", False, NOW)  # in place of its own
    assert await store.find_user_by_key(pool.id, ["phone_number"], "+15550002") is None
    assert (await store.find_user_by_key(pool.id, ["phone_number"], "+15550003")).id == bob
    await store.claim_key(bob, "phone_number", "+15550003", False, NOW)  # already its own: nothing changes
    with pytest.raises(Conflict) as raised:
        await store.claim_key(bob, "phone_number", "+15550001", False, NOW)
    assert raised.value.what == "phone_number"
    await store.update_attributes(ann, {"phone_number_verified": "true"}, NOW)
    await store.claim_key(bob, "phone_number", "+15550001", True, NOW + 3)
    assert (await store.find_user_by_key(pool.id, ["phone_number"], "+15550001")).id == bob
    assert (await store.get_user(ann)).attributes["phone_number_verified"] == "false"


async def test_a_password_change_applies_only_from_its_status_and_keeps_the_history(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann", status="FORCE_CHANGE_PASSWORD"), new_code("forgot"))
    await store.record_sign_in_failure(user_id, lambda state: Attempts(state.failures + 1, NOW, NOW + 60))

    def change(password: str, **fields: object) -> PasswordChange:
        return PasswordChange(user_id, password, "salt", "verifier", NOW + 5, **fields)

    assert await store.set_password(change("p1", status="CONFIRMED", from_status="RESET_REQUIRED")) is False
    assert (await store.get_user(user_id)).password_hash == "argon2id$hash"
    changed = change("p1", status="CONFIRMED", from_status="FORCE_CHANGE_PASSWORD", history_size=2)
    assert await store.set_password(dataclasses.replace(changed, consume_codes=("forgot",), attributes={"a": "1"}))
    user = await store.get_user(user_id)
    assert (user.password_hash, user.status, user.srp_verifier, user.attributes["a"]) == (
        "p1",
        "CONFIRMED",
        "verifier",
        "1",
    )
    assert (user.failed_sign_ins, user.locked_until) == (None, None)  # a new password clears the lockout
    assert await store.get_code(user_id, "forgot") is None
    for password in ("p2", "p3", "p4"):
        assert await store.set_password(change(password, history_size=2)) is True
    assert await store.password_history(user_id, 10) == ["p3", "p2"]
    assert await store.set_password(dataclasses.replace(change("p5"), user_id=0)) is False


async def test_sign_in_failures_are_counted_by_the_rule_and_reset(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann", status="CONFIRMED"))
    seen: list[Attempts] = []

    def rule(state: Attempts) -> Attempts:
        seen.append(state)
        return Attempts(state.failures + 1, NOW + state.failures, None)

    assert await store.record_sign_in_failure(user_id, rule) == Attempts(1, NOW, None)
    assert await store.record_sign_in_failure(user_id, rule) == Attempts(2, NOW + 1, None)
    assert seen == [Attempts(0, None, None), Attempts(1, NOW, None)]
    user = await store.get_user(user_id)
    assert (user.failed_sign_ins, user.last_failed_sign_in) == (2, NOW + 1)
    await store.reset_sign_in_failures(user_id)
    assert (await store.get_user(user_id)).failed_sign_ins is None
    assert await store.record_sign_in_failure(0, rule) == Attempts()


async def test_status_enabled_and_verifier_change_only_an_existing_user(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann"))
    assert await store.set_status(user_id, "RESET_REQUIRED", NOW + 1) is True
    assert await store.set_enabled(user_id, False, NOW + 2) is True
    await store.set_verifier(user_id, "s", "v")
    user = await store.get_user(user_id)
    assert (user.status, user.enabled, user.modified_at, user.srp_salt, user.srp_verifier) == (
        "RESET_REQUIRED",
        False,
        NOW + 2,
        "s",
        "v",
    )
    assert await store.set_status(0, "CONFIRMED", NOW) is False
    assert await store.set_enabled(0, True, NOW) is False
