from __future__ import annotations

from tests.conftest import PASSWORD


def test_sign_in_lands_on_the_worklist(client, users):
    response = client.post("/accounts/login/", {"username": "origin_clerk", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "cases/worklist.html" in [t.name for t in response.templates]


def test_a_wrong_password_is_refused(client, users):
    response = client.post("/accounts/login/", {"username": "origin_clerk", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_sign_out_returns_to_the_public_home(client, users):
    client.force_login(users["origin_clerk"])
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "cases/worklist.html" not in [t.name for t in response.templates]


def test_password_change(client, users):
    assert client.get("/accounts/password_change/").url.startswith("/accounts/login/")
    client.force_login(users["origin_clerk"])
    response = client.get("/accounts/password_change/")
    assert "registration/password_change_form.html" in [t.name for t in response.templates]
    response = client.post("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": "a-much-longer-pass-2027", "new_password2": "a-much-longer-pass-2027",
    }, follow=True)
    assert "registration/password_change_done.html" in [t.name for t in response.templates]
    users["origin_clerk"].refresh_from_db()
    assert users["origin_clerk"].check_password("a-much-longer-pass-2027")
