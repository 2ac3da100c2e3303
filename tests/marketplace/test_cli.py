"""Command-line: users and tokens."""
from sqlalchemy import select

from marketplace.models import Organisation, User


def test_users_create_reads_password_from_stdin(runner, db, make_park):
    park = make_park(code="AH-X")
    result = runner.invoke(args=["users", "create", "boss@park.example", "--role", "park_manager",
                                 "--org", "某园区管委会", "--park", "AH-X"], input="s3cret pass\ns3cret pass\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@park.example"))
    assert user.roles == {"park_manager"} and user.check_password("s3cret pass")
    assert [p.id for p in user.managed_parks] == [park.id]
    assert user.organisation.name_zh == "某园区管委会"


def test_users_create_refuses_duplicates_and_unknown_parks(runner, make_user):
    make_user(email="taken@example.com")
    result = runner.invoke(args=["users", "create", "taken@example.com", "--role", "plant"], input="pw12345\npw12345\n")
    assert result.exit_code == 1 and "already exists" in result.output
    result = runner.invoke(args=["users", "create", "new@example.com", "--role", "park_manager", "--park", "NOPE"],
                           input="pw12345\npw12345\n")
    assert result.exit_code == 1 and "NOPE" in result.output


def test_a_refused_user_leaves_no_new_organisation_behind(runner, db, make_user):
    make_user(email="taken@example.com")
    for extra in (["taken@example.com"], ["new@example.com", "--park", "NOPE"]):
        result = runner.invoke(args=["users", "create", *extra, "--role", "plant", "--org", "新建公司"],
                               input="pw12345\npw12345\n")
        assert result.exit_code == 1
        assert db.session.scalar(select(Organisation).where(Organisation.name_zh == "新建公司")) is None


def test_users_token_gives_api_access(runner, client, make_user):
    user = make_user("plant")
    result = runner.invoke(args=["users", "token", user.email])
    assert result.exit_code == 0
    token = result.output.strip()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json["email"] == user.email
    # A new token replaces the old one.
    runner.invoke(args=["users", "token", user.email])
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_users_token_for_unknown_user(runner):
    result = runner.invoke(args=["users", "token", "ghost@example.com"])
    assert result.exit_code == 1 and "ghost@example.com" in result.output
