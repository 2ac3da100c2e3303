"""The services' unit of work: all of the block is stored, or none of it, and the error goes on unchanged."""
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.models import Organisation
from marketplace.services.errors import FieldError
from marketplace.services.transaction import unit_of_work


def organisations(db) -> list[str]:
    return list(db.session.scalars(select(Organisation.name_zh).order_by(Organisation.id)))


def test_the_block_is_committed_when_it_ends(db):
    with unit_of_work():
        db.session.add(Organisation(name_zh="甲公司"))
    db.session.rollback()  # nothing left to undo: it is stored
    assert organisations(db) == ["甲公司"]


def test_an_error_in_the_block_stores_nothing_and_goes_on_unchanged(db):
    refusal = FieldError("name_zh", "the organisation's name is required")
    with pytest.raises(FieldError) as raised:
        with unit_of_work():
            db.session.add(Organisation(name_zh="乙公司"))
            db.session.flush()
            raise refusal
    assert raised.value is refusal
    assert organisations(db) == []


def test_a_failed_commit_is_rolled_back_and_the_session_stays_usable(db, make_org):
    taken = make_org(name_zh="丙公司")
    with pytest.raises(IntegrityError):
        with unit_of_work():
            db.session.add(Organisation(name_zh=taken.name_zh))  # the name is unique
    assert organisations(db) == ["丙公司"]
    assert db.session.scalar(select(func.count(Organisation.id))) == 1
