"""The projection kit's pure part: the SQL a declaration builds, the values it sends, and declarations
refused with a message naming what is wrong."""

from __future__ import annotations

import re
import uuid

import pytest

from shared.events import OrganisationUpserted
from shared.projections import Deletes, Projection, organisation_projection
from tests.support.things import ThingRemoved, ThingUpserted, removed, thing, thing_projection

THING = uuid.UUID(int=7)


def test_the_upsert_is_guarded_by_the_revision_and_updates_every_other_column():
    assert organisation_projection("actuals").upsert_sql == (
        'INSERT INTO "actuals"."organisation" AS existing ("organisation_id", "authority_id", "name",'
        ' "reference", "active", "revision", "updated_at") VALUES ($1, $2, $3, $4, $5, $6, $7)'
        ' ON CONFLICT ("organisation_id") DO UPDATE SET "authority_id" = EXCLUDED."authority_id",'
        ' "name" = EXCLUDED."name", "reference" = EXCLUDED."reference", "active" = EXCLUDED."active",'
        ' "revision" = EXCLUDED."revision", "updated_at" = EXCLUDED."updated_at"'
        ' WHERE existing."revision" < EXCLUDED."revision"'
    )


def test_columns_take_their_payload_fields_and_the_tombstone_flag_comes_last():
    projection = thing_projection("s")
    assert projection.upsert_sql.startswith(
        'INSERT INTO "s"."thing" AS existing ("thing_id", "authority_id", "title", "revision", "deleted")'
        " VALUES ($1, $2, $3, $4, $5)"
    )
    assert '"deleted" = EXCLUDED."deleted"' in projection.upsert_sql
    _, live = thing(THING, 3, "Kettle")
    _, gone = thing(THING, 4, "Kettle", gone=True)
    assert projection.upsert_values(live) == (THING, uuid.UUID(int=1), "Kettle", 3, False)
    assert projection.upsert_values(gone)[-1] is True


def test_a_delete_event_leaves_a_guarded_tombstone_of_key_and_revision():
    projection = thing_projection("s")
    assert projection.tombstone_sql == (
        'INSERT INTO "s"."thing" AS existing ("thing_id", "revision", "deleted") VALUES ($1, $2, $3)'
        ' ON CONFLICT ("thing_id") DO UPDATE SET "revision" = EXCLUDED."revision", "deleted" = EXCLUDED."deleted"'
        ' WHERE existing."revision" < EXCLUDED."revision"'
    )
    assert projection.tombstone_values(removed(THING, 5)[1]) == (THING, 5, True)
    assert projection.live == 'NOT "deleted"'
    assert organisation_projection("s").live == "TRUE"


def test_a_composite_key_is_the_conflict_target_and_is_never_updated():
    projection = Projection(
        event=ThingUpserted,
        schema="s",
        table="thing_label",
        key=("thing_id", "title"),
        columns={"thing_id": "thing_id", "title": "label", "revision": "revision"},
    )
    assert 'ON CONFLICT ("thing_id", "title") DO UPDATE SET "revision" = EXCLUDED."revision" WHERE' in (
        projection.upsert_sql
    )


def test_subscriptions_are_the_full_state_event_and_the_delete_event_both_applied_by_the_projection():
    projection = thing_projection("s")
    subscriptions = projection.subscriptions()
    assert [s.payload_type for s in subscriptions] == [ThingUpserted, ThingRemoved]
    assert all(
        s.handler == projection.apply and s.handle_many == projection.apply_many for s in subscriptions
    )
    assert [s.payload_type for s in organisation_projection("s").subscriptions()] == [OrganisationUpserted]


async def test_an_event_the_projection_does_not_keep_is_refused():
    with pytest.raises(TypeError, match=re.escape('"s"."organisation" does not project ThingUpserted')):
        await organisation_projection("s").apply(None, *thing(THING, 1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="declares no delete event"):
        _ = organisation_projection("s").tombstone_sql


def declare(**changes):
    values = {
        "event": ThingUpserted,
        "schema": "s",
        "table": "thing",
        "key": ("thing_id",),
        "columns": {"thing_id": "thing_id", "title": "label", "revision": "revision"},
    }
    return Projection(**(values | changes))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"table": "Thing; DROP"}, "'Thing; DROP' is not a safe SQL identifier"),
        (
            {"columns": {"thing_id": "thing_id", "title": "name", "revision": "revision"}},
            "column 'title' takes 'name'",
        ),
        ({"key": ()}, "no key column"),
        ({"key": ("id",)}, "key or revision column 'id' is not among the columns"),
        ({"revision": "rev"}, "key or revision column 'rev' is not among the columns"),
        ({"key": ("thing_id", "revision")}, "the revision column 'revision' cannot be part of the key"),
        ({"deletes": Deletes()}, "deletes need a tombstone flag or a delete event"),
        ({"deletes": Deletes(flag="label")}, "the tombstone flag 'label' is not a boolean field"),
        ({"deletes": Deletes(flag="nope")}, "the tombstone flag 'nope' is not a boolean field"),
        ({"deletes": Deletes(column="title", flag="gone")}, "the tombstone column 'title' is the kit's"),
        ({"deletes": Deletes(column="Gone!", flag="gone")}, "'Gone!' is not a safe SQL identifier"),
        (
            {"deletes": Deletes(event=OrganisationUpserted)},
            "the delete event OrganisationUpserted lacks thing_id",
        ),
    ],
)
def test_a_bad_declaration_is_refused_naming_what_is_wrong(changes, message):
    with pytest.raises(ValueError, match=re.escape("projection of ThingUpserted into s.")) as raised:
        declare(**changes)
    assert message in str(raised.value)


def test_a_mirror_fills_each_column_from_the_field_of_its_name_with_the_key_first_once():
    named = Projection.mirror(
        OrganisationUpserted, "s", "organisation", key="organisation_id", columns=("name", "revision")
    )
    listed = Projection.mirror(
        OrganisationUpserted,
        "s",
        "organisation",
        key="organisation_id",
        columns=("name", "organisation_id", "revision"),
    )
    for projection in (named, listed):
        assert projection.key == ("organisation_id",)
        assert dict(projection.columns) == {
            "organisation_id": "organisation_id",
            "name": "name",
            "revision": "revision",
        }
        assert next(iter(projection.columns)) == "organisation_id"
    with pytest.raises(ValueError, match="nope"):  # a mirror is checked like any declaration
        Projection.mirror(OrganisationUpserted, "s", "organisation", key="organisation_id", columns=("nope",))


def test_child_rows_are_written_from_their_items_fields_in_one_statement():
    from types import SimpleNamespace

    from shared.projections import ChildRows

    lines = ChildRows("s.thing_line", "thing_id", (("line_id", "uuid"), ("total", "numeric")), numbered=True)
    assert lines.insert_sql == (
        'INSERT INTO "s"."thing_line" ("thing_id", "line_no", "line_id", "total")'
        ' SELECT $1, c.* FROM unnest($2::integer[], $3::uuid[], $4::numeric[]) AS c("line_no", "line_id", "total")'
    )
    assert lines.delete_sql == 'DELETE FROM "s"."thing_line" WHERE "thing_id" = $1'
    items = [
        SimpleNamespace(line_id=THING, total="1.50"),
        SimpleNamespace(line_id=uuid.UUID(int=8), total="2"),
    ]
    assert lines.values(items) == [[1, 2], [THING, uuid.UUID(int=8)], ["1.50", "2"]]
    unnumbered = ChildRows("s.thing_line", "thing_id", (("line_id", "uuid"),))
    assert unnumbered.values(items) == [[THING, uuid.UUID(int=8)]]
    assert unnumbered.values([]) == [[]]


@pytest.mark.parametrize(
    "table,parent,columns,message",
    [
        ("s.thing line", "thing_id", (("line_id", "uuid"),), "not a safe SQL identifier: 'thing line'"),
        ("s.thing_line", "thing_id;", (("line_id", "uuid"),), "not a safe SQL identifier: 'thing_id;'"),
        ("s.thing_line", "thing_id", (("line_id", "uuid[]"),), "'uuid[]' is not one of"),
    ],
)
def test_a_child_rows_declaration_with_a_bad_name_or_type_is_refused(table, parent, columns, message):
    from shared.projections import ChildRows

    with pytest.raises(ValueError, match=re.escape(message)):
        ChildRows(table, parent, columns)
