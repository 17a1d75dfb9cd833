"""A lead's forms: correct an article's title or outlet; delete articles after a page that counts what goes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError

from annotator.articles.models import ArticleChange
from annotator.articles.service import found_article, change_article, delete_articles, deletion_counts
from annotator.auth.guard import requires
from annotator.context import db_session
from annotator.overview.service import matching_ids
from annotator.overview.web import article_filter
from annotator.projects.service import find_project

pages = Blueprint("articles", __name__)


@pages.post("/articles/<int:article_id>/details")
@requires("lead")
def change_details(article_id: int) -> ResponseReturnValue:
    session = db_session()
    article = found_article(session, article_id)
    try:
        change = ArticleChange.model_validate({k: v for k, v in request.form.items() if k in ArticleChange.model_fields})
    except ValidationError as error:
        flash("Nothing changed: " + "; ".join(f"{issue['loc'][0]}: {issue['msg']}" for issue in error.errors()), "error")
    else:
        changed = change_article(session, article, change)
        session.commit()
        flash(f"Article {article.id}: {', '.join(changed)} saved." if changed else "Nothing changed.", "info")
    return redirect(url_for("adjudicate.page", article_id=article_id))


@pages.post("/projects/<int:project_id>/articles/delete")
@requires("lead")
def delete(project_id: int) -> ResponseReturnValue:
    """First a page that counts what would go; deleted only once that page's button is pressed."""
    session = db_session()
    project = find_project(session, project_id)
    wanted = article_filter(request.form.to_dict())
    back = url_for("overview.overview", project_id=project.id, **wanted.query_args())  # type: ignore[arg-type]
    chosen = request.form.getlist("article", type=int)
    article_ids = chosen if request.form.get("scope", "selected") == "selected" else matching_ids(session, project, wanted)
    if not article_ids:
        flash("Nothing deleted: no article was chosen.", "error")
        return redirect(back)
    if request.form.get("confirmed") != "yes":
        counts = deletion_counts(session, project, article_ids)
        return render_template("delete_articles.html", project=project, counts=counts, article_ids=article_ids, back=back)
    counts = delete_articles(session, project, article_ids)
    session.commit()
    flash(f"Deleted {counts.in_words()}.", "info")
    return redirect(back)
