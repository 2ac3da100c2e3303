"""Sign-up, sign-in, sign-out, CSRF and rate limiting."""
import pytest
from sqlalchemy import func, select

from marketplace.models import Organisation, User
from tests.conftest import PASSWORD, valid_credit_code


def signup_form(**overrides):
    form = {"name_zh": "芜湖新材料有限公司", "name_en": "Wuhu New Materials", "credit_code": valid_credit_code(777),
            "role": "recycler", "email": "officer@wuhu.example", "password": "long enough", "confirm": "long enough"}
    form.update(overrides)
    return form


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_signup_creates_organisation_and_first_user(client, db):
    response = client.post("/auth/signup", data=signup_form())
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "officer@wuhu.example"))
    assert user.roles == {"recycler"}
    assert user.organisation.name_zh == "芜湖新材料有限公司"
    assert not user.organisation.verified and not user.organisation.credit_code_flagged
    assert user.password_hash != "long enough" and user.check_password("long enough")
    # Signed in straight away.
    assert client.get("/org").status_code == 200


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"credit_code": "91340100ABC"}, "credit_code", ""),
    ({"credit_code": "9134010O0000000001"}, "credit_code", ""),
    ({"email": "not-an-email"}, "email", ""),
    ({"name_zh": ""}, "name_zh", ""),
    ({"password": "short", "confirm": "short"}, "password", ""),
    ({"confirm": "something else"}, "confirm", ""),
    ({"role": "admin"}, "role", ""),
])
def test_signup_refuses_bad_fields_and_stores_nothing(client, db, overrides, field, message):
    response = client.post("/auth/signup", data=signup_form(**overrides))
    assert response.status_code == 400
    assert f'data-field="{field}"'.encode() in response.data
    assert count(db, User) == 0 and count(db, Organisation) == 0


def test_signup_refuses_duplicate_email(client, db, make_user):
    make_user(email="officer@wuhu.example")
    client.get("/lang/en")
    response = client.post("/auth/signup", data=signup_form(email="Officer@Wuhu.example"))
    assert response.status_code == 400
    assert b'data-field="email"' in response.data and b"already exists" in response.data
    assert count(db, User) == 1 and count(db, Organisation) == 1


def test_signup_refuses_duplicate_credit_code(client, db, make_org):
    organisation = make_org()
    response = client.post("/auth/signup", data=signup_form(credit_code=organisation.credit_code))
    assert response.status_code == 400 and f"统一社会信用代码 {organisation.credit_code} 已注册" in response.get_data(as_text=True)
    client.get("/lang/en")
    response = client.post("/auth/signup", data=signup_form(credit_code=organisation.credit_code))
    assert response.status_code == 400 and b"already registered" in response.data
    assert count(db, Organisation) == 1


def test_wrong_check_character_is_accepted_and_flagged(client, db):
    code = valid_credit_code(778)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert client.post("/auth/signup", data=signup_form(credit_code=wrong)).status_code == 302
    organisation = db.session.scalar(select(Organisation))
    assert organisation.credit_code == wrong and organisation.credit_code_flagged


def test_login_and_logout(client, auth, make_user):
    user = make_user("plant")
    response = auth.login(user)
    assert response.status_code == 302 and response.headers["Location"].endswith("/org")
    assert client.get("/org").status_code == 200
    assert auth.logout().status_code == 302
    assert "/auth/login" in client.get("/org").headers["Location"]


def test_wrong_password_and_unknown_email_get_the_same_answer(client, auth, make_user):
    user = make_user("plant")
    wrong = auth.login(user, "wrong password")
    unknown = auth.login("nobody@example.com")
    assert wrong.status_code == unknown.status_code == 400
    assert b"Wrong email or password" in wrong.data or "邮箱或密码错误".encode() in wrong.data
    assert client.get("/org").status_code == 302


def test_inactive_user_cannot_sign_in(auth, make_user, db):
    user = make_user("plant")
    user.active = False
    db.session.commit()
    assert auth.login(user).status_code == 400


def test_next_is_followed_only_within_the_site(client, make_user):
    user = make_user("plant")
    response = client.post("/auth/login?next=/parks/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/parks/")
    client.post("/auth/logout")
    response = client.post("/auth/login?next=https://evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert "evil.example" not in response.headers["Location"]
    client.post("/auth/logout")
    response = client.post("/auth/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert "evil.example" not in response.headers["Location"]


def test_login_attempts_are_rate_limited(client, app, make_user):
    user = make_user("plant")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        assert client.post("/auth/login", data={"email": user.email, "password": "bad"}).status_code == 400
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429


def test_forms_need_a_csrf_token(client, app, make_user):
    user = make_user("plant")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 400
        assert client.get("/org").status_code == 302  # not signed in
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_session_cookie_is_http_only_and_same_site(client, make_user, auth):
    user = make_user("plant")
    response = auth.login(user)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_hashed_with_scrypt_by_default():
    from marketplace.models import User

    user = User(email="x@example.com")
    user.set_password("secret words")
    assert user.password_hash.startswith("scrypt:")
