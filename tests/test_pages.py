"""Server-rendered pages: the labeling page, project list, lead overview, escaping, headers."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

from annotator.ingest.readers import read_jsonl
from annotator.ingest.store import import_records
from annotator.storage import Database
from tests.support import WebSession

STATIC = Path(__file__).resolve().parents[1] / "annotator" / "static"


def page_data(page: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', page, re.S)
    assert match, "the labeling page carries its data as JSON"
    return json.loads(match.group(1))


def open_next(web: WebSession, project_id: int) -> str:
    response = web.post(f"/projects/{project_id}/next", data={"csrf_token": web.csrf_token("/")})
    assert response.status_code == 200 and "/annotate" in response.url
    return response.text


def test_project_list_shows_my_progress(web: WebSession, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    web.log_in(team.ana)
    page = web.get("/").text
    assert "sample" in page and "0 of 8 done" in page


def test_next_article_opens_the_labeling_page(web: WebSession, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    web.log_in(team.ana)
    data = page_data(open_next(web, project_id))
    assert data["article"]["text"].startswith("Kremlin says no groundwork yet")
    assert data["saved"] == {**data["saved"], "revision": None, "statements": []}
    assert {"id": "peskov", "text": "Kremlin spokesman Dmitry Peskov"}.items() <= next(
        s for s in data["suggestions"] if s["id"] == "peskov"
    ).items()
    assert [c["id"] for c in data["schema"]["statement"]["stance"]["choices"]] == ["open", "conditional", "refuses", "noncommittal"]


def test_labeling_page_shows_guidelines_and_shortcuts(web: WebSession, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    web.log_in(team.ana)
    page = open_next(web, project_id)
    assert "Guidelines" in page and "Willing to talk only if something happens first" in page
    for shortcut in ("<kbd>N</kbd>", "<kbd>A</kbd>", "<kbd>P</kbd>", "<kbd>E</kbd>", "<kbd>Y</kbd>", "<kbd>Ctrl+S</kbd>", "<kbd>Shift+S</kbd>"):
        assert shortcut in page


def test_labeling_page_of_an_unassigned_article_is_refused(web: WebSession, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    web.log_in(team.ana)
    assert web.get("/articles/5/annotate").status_code == 403


def test_hostile_article_text_is_escaped(web: WebSession, team, project_id: int, db: Database) -> None:  # type: ignore[no-untyped-def]
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    with db.session(write=True) as session:
        [article_id] = import_records(
            session, project_id, read_jsonl("h.jsonl", io.BytesIO(json.dumps({"title": hostile, "text": hostile + " body"}).encode()))
        ).article_ids
    web.log_in(team.lena)
    page = web.get(f"/articles/{article_id}/annotate").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert html.escape(hostile)[:20] in page  # the title, as text
    assert page_data(page)["article"]["text"].startswith(hostile)  # the JSON, decoded intact


def test_pages_send_a_same_origin_content_security_policy(web: WebSession) -> None:
    headers = web.get("/login").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_labeling_page_refers_to_no_other_host(web: WebSession, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    web.log_in(team.ana)
    page = open_next(web, project_id)
    page_without_data = re.sub(r'<script type="application/json".*?</script>', "", page, flags=re.S)
    paths = re.findall(r'(?:src|href)="(/static/[^"]+)"', page_without_data)
    [release] = {re.match(r"/static/v/(\w+)/", path).group(1) for path in paths}  # type: ignore[union-attr]
    assets = {path: web.get(path).text for path in paths}
    imported = {
        f"/static/v/{release}/labeling/{name}" for path, text in assets.items() if path.endswith(".js")
        for name in re.findall(r'^import .*?"\./([a-z]+\.js)";$', text, re.M)
    }
    assert f"/static/v/{release}/labeling/main.js" in imported
    assert imported <= set(paths), "every module the page imports is preloaded with it"
    assert {p for p in paths if p.endswith(".css")} == {f"/static/v/{release}/app.css"}
    for text in (page_without_data, *assets.values()):
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), "a reference to another host"


def test_lead_overview_lists_who_holds_each_article(web: WebSession, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    web.log_in(team.ana)
    open_next(web, project_id)
    lead = WebSession(web.base_url)
    lead.log_in(team.lena)
    page = lead.get(f"/projects/{project_id}").text
    assert "ana: open" in page


def test_static_script_has_no_inline_handlers() -> None:
    template_dir = Path(__file__).resolve().parents[1] / "annotator" / "templates"
    for template in template_dir.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"\son[a-z]+=", text), f"inline event handler in {template.name}"
        assert not re.search(r"<script(?![^>]*(?:src=|type=\"application/json\"))", text), f"inline script in {template.name}"


def test_stylesheet_loads_before_login(web: WebSession) -> None:
    response = web.get("/static/app.css", allow_redirects=False)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/css")


def test_the_readme_keyboard_table_is_the_pages_help_word_for_word(web: WebSession, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    import html
    import re
    from pathlib import Path

    web.log_in(team.ana)
    page = open_next(web, project_id)
    dialog = page[page.index('<dialog class="sheet" id="shortcuts"'):]
    dialog = dialog[:dialog.index("</table>")]
    words = lambda cell: " ".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).split())  # noqa: E731
    on_page = [tuple(words(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)) for row in re.findall(r"<tr>(.*?)</tr>", dialog, re.S)]
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme[readme.index("| keys | what they do |"):].split("\n\n")[0].splitlines()[2:]
    in_readme = [tuple(" ".join(cell.replace("`", "").split()) for cell in line.strip("|").split(" | ")) for line in table]
    assert in_readme == on_page


def test_static_files_are_named_by_their_content_and_kept_a_year(web: WebSession) -> None:
    path = re.search(r'href="(/static/v/\w+/app\.css)"', web.get("/login").text).group(1)  # type: ignore[union-attr]
    response = web.get(path)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert web.get(path.replace("/v/", "/v/0").rsplit("/", 2)[0] + "/x/app.css").status_code == 404


def test_a_project_name_with_spaces_is_shown_as_one_argument_and_the_command_line_takes_it(
    web: WebSession, api, team, schema, db,  # type: ignore[no-untyped-def]
) -> None:
    from click.testing import CliRunner

    from annotator.cli import main

    created = api.as_(team.lena).post("/projects", json={"name": "election night 2026", "label_schema": schema.model_dump(mode="json")}).json()
    web.log_in(team.lena)
    assert "annotator export &#39;election night 2026&#39;" in web.get(f"/projects/{created['id']}").text
    listed = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["project", "members", "election night 2026"])
    assert listed.exit_code == 0 and "lena\tlead" in listed.output
