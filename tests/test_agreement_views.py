"""The agreement report over HTTP, on the command line and as the lead's page."""

from __future__ import annotations

import json

from click.testing import CliRunner

from annotator.cli import main
from tests.support import ApiClient, Team, WebSession
from tests.test_adjudication import labeled  # noqa: F401 - the shared fixture


def test_api_report_counts_what_was_labeled(api: ApiClient, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    report = api.as_(team.lena).get(f"/projects/{project_id}/agreement").json()
    assert report["annotators"] == ["ana", "ben"]
    assert report["articles_labeled"] == 2
    stance = next(f for f in report["fields"] if f["field"] == "stance")
    assert (stance["observed"]["value"], stance["observed"]["n_units"]) == (0.5, 2)
    assert stance["alpha_interval"]["seed"] == 20261122
    assert report["statement_keys"]["pooled"]["value"] == 1.0
    assert report["most_disagreed"][0]["article_id"] == labeled["second"]["id"]
    assert report["most_disagreed"][0]["title"].startswith("White House keeps the door open")


def test_annotators_cannot_read_the_report(api: ApiClient, project_id: int) -> None:
    assert api.get(f"/projects/{project_id}/agreement").status_code == 403


def test_command_line_json_equals_the_api(api: ApiClient, team: Team, labeled, project_id: int, db) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["agreement", "sample", "--json"])
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.output)
    from_api = api.as_(team.lena).get(f"/projects/{project_id}/agreement").json()
    for report in (from_cli, from_api):
        report.pop("generated_at")
    assert from_cli == from_api


def test_command_line_table_lists_every_field(labeled, db) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["agreement", "sample"])
    assert result.exit_code == 0, result.output
    for field in ("relevance", "actors", "targets", "stance", "preconditions", "source_outlet", "evidence"):
        assert field in result.output


def test_gold_gives_annotators_an_agreement_with_gold(api: ApiClient, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    lead = api.as_(team.lena)
    lead.post(f"/projects/{project_id}/gold/accept-unanimous")
    report = lead.get(f"/projects/{project_id}/agreement").json()
    ana = next(p for p in report["per_annotator"] if p["name"] == "ana")
    assert ana["agreement_with_gold"]["value"] == 1.0


def test_agreement_page_draws_the_pictures(web: WebSession, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    web.log_in(team.lena)
    page = web.get(f"/projects/{project_id}/agreement").text
    assert page.count("<svg") >= 3
    assert "Krippendorff&#39;s alpha per field" in page or "Krippendorff's alpha per field" in page
    assert f"/articles/{labeled['second']['id']}/adjudicate" in page


def test_adjudication_page_shows_annotators_side_by_side(web: WebSession, team: Team, labeled) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    web.log_in(team.lena)
    page = web.get(f"/articles/{labeled['second']['id']}/adjudicate").text
    assert "Annotators side by side" in page and "differs: stance, preconditions" in page
    assert 'data-take="ana"' in page and 'data-take="ben"' in page


def test_bulk_acceptance_from_the_page(web: WebSession, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    web.log_in(team.lena)
    response = web.post(f"/projects/{project_id}/accept-unanimous", data={"csrf_token": web.csrf_token("/")})
    assert "1 unanimous article(s) accepted as gold" in response.text


def test_agreement_and_adjudication_pages_are_for_leads(web: WebSession, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    web.log_in(team.ana)
    assert web.get(f"/projects/{project_id}/agreement").status_code == 403
    assert web.get(f"/articles/{labeled['first']['id']}/adjudicate").status_code == 403


def test_adjudication_page_opens_on_existing_gold(web: WebSession, api: ApiClient, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    api.as_(team.lena).post(f"/projects/{project_id}/gold/accept-unanimous")
    web.log_in(team.lena)
    page = web.get(f"/articles/{labeled['first']['id']}/adjudicate")
    assert page.status_code == 200
    assert "(unanimous, by lena)" in page.text


def test_a_figure_over_too_few_units_says_so_instead_of_an_alarming_number(web: WebSession, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    web.log_in(team.lena)
    page = web.get(f"/projects/{project_id}/agreement").text
    stance_row = page[page.index('<th scope="row">stance</th>'):]
    stance_row = stance_row[:stance_row.index("</tr>")]
    assert "too few to tell" in stance_row
    assert "only 2 unit(s), too few to trust" in stance_row


def test_each_figure_has_a_plain_line_saying_what_it_rests_on(web: WebSession, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    web.log_in(team.lena)
    page = web.get(f"/projects/{project_id}/agreement").text
    assert "share of agreeing pairs" in page
    assert "agreement beyond chance (1 perfect, 0 chance)" in page


def test_the_report_marks_figures_that_rest_on_too_few_units(api: ApiClient, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    report = api.as_(team.lena).get(f"/projects/{project_id}/agreement").json()
    stance = next(f for f in report["fields"] if f["field"] == "stance")
    assert stance["alpha"]["n_units"] == 2
    assert stance["alpha"]["caution"].startswith("only 2 unit(s)")


def test_empty_pictures_are_not_drawn() -> None:
    from datetime import date

    from annotator.agreement.charts import confusion_chart, throughput_chart
    from annotator.agreement.models import ConfusionMatrix, DailyCount

    assert confusion_chart(ConfusionMatrix(annotators=None, labels=["open", "refuses"], counts=[[0, 0], [0, 0]])) is None
    assert throughput_chart([DailyCount(annotator="ana", day=date(2026, 11, 28), items=4)]) is None
