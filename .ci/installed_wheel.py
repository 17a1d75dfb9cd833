"""CI's installed-wheel check: the package as users install it, run far from any checkout.

Builds the wheel, installs it with its extras into a fresh venv in an empty folder,
and there: runs the demo (every page a newcomer opens, and every static file those
pages link, answers 200), creates a project from the shipped schema by name, trains
and predicts with the model extra, and starts `annotator serve` with the oldest
gunicorn the requirement allows. Every server listens on 127.0.0.1 and is stopped here.

    python .ci/installed_wheel.py
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
DEMO_PASSWORDS = {"ana": "ana-labels-2026", "lena": "lena-leads-2026"}


def step(what: str) -> None:
    print(f"--- {what}", flush=True)


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, command))}\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


def oldest_gunicorn() -> str:
    """The lowest version the package's gunicorn requirement allows (its >= bound)."""
    requirements = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["project"]["dependencies"]
    [gunicorn] = [r for r in requirements if r.startswith("gunicorn")]
    found = re.search(r">=\s*([0-9][0-9.]*)", gunicorn)
    assert found, f"no lower bound in {gunicorn!r}"
    return found.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(command: list[str], port: int, cwd: Path, env: dict[str, str]) -> Iterator[str]:
    """A server started in its own process group, up when /login answers, stopped after."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a first start compiles every module
        while True:
            try:
                urllib.request.urlopen(f"{base}/login", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"{' '.join(command)} did not start:\n{process.stderr.read() if process.stderr else ''}")
                time.sleep(0.3)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


class Browser:
    """Cookies and CSRF like a browser's: enough to log in and open pages."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(f"{self.base}{path}", timeout=30) as response:
            assert response.status == 200, f"{path}: {response.status}"
            return response.read().decode()

    def post(self, path: str, form: dict[str, str]) -> str:
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(f"{self.base}{path}", data=data, timeout=30) as response:
            return response.geturl()

    def log_in(self, name: str) -> None:
        token = re.search(r'name="csrf-token" content="([^"]+)"', self.get("/login"))
        assert token, "no CSRF token on /login"
        landed = self.post("/login", {"name": name, "password": DEMO_PASSWORDS[name], "csrf_token": token.group(1)})
        assert not landed.endswith("/login"), f"{name} could not log in"


def check_pages(base: str) -> int:
    """Each page a newcomer opens, as ana and as lena, and every static file they link: 200."""
    pages: dict[str, str] = {}
    ana = Browser(base)
    ana.log_in("ana")
    pages["/"] = ana.get("/")
    token = re.search(r'name="csrf-token" content="([^"]+)"', pages["/"])
    assert token
    labeling = ana.post("/projects/1/next", {"csrf_token": token.group(1)})
    assert "/annotate" in labeling, f"next article led to {labeling}"
    pages[urllib.parse.urlparse(labeling).path] = ana.get(urllib.parse.urlparse(labeling).path)
    lena = Browser(base)
    lena.log_in("lena")
    for path in ("/projects/1", "/projects/1/agreement", "/projects/1/models", "/projects/1/baseline",
                 "/projects/1/import", "/projects/1/members", "/projects/1/settings", "/projects/1/codebook", "/articles/2/adjudicate", "/users"):
        pages[path] = lena.get(path)
    linked = {link for page in pages.values() for link in re.findall(r'(?:src|href)="(/static/[^"]+)"', page)}
    # The labeling page's modules import each other by relative path: follow them too.
    modules = {link for link in linked if link.endswith(".js")}
    while modules:
        module = modules.pop()
        for imported in re.findall(r'from "\./([^"]+)"', lena.get(module)):
            target = f"{module.rsplit('/', 1)[0]}/{imported}"
            if target not in linked:
                linked.add(target)
                modules.add(target)
    assert linked, "the pages link no static file"
    for link in linked:
        lena.get(link)
    return len(linked)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="annotator-wheel-") as scratch:
        root = Path(scratch)
        step("build the wheel")
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", root / "dist", CHECKOUT, cwd=root)
        [wheel] = (root / "dist").glob("annotator-*.whl")
        step(f"install {wheel.name}[labelstudio,model] into a fresh venv")
        run(sys.executable, "-m", "venv", root / "venv", cwd=root)
        python = root / "venv" / "bin" / "python"
        run(python, "-m", "pip", "install", "--quiet", f"{wheel}[labelstudio,model]", cwd=root)
        run(python, "-m", "pip", "install", "--quiet", f"gunicorn=={oldest_gunicorn()}", cwd=root)
        annotator = str(root / "venv" / "bin" / "annotator")
        work = root / "elsewhere"  # no checkout here, nor above
        work.mkdir()
        env = {**os.environ, "ANNOTATOR_DATA_DIR": str(work / "data"),
               "ANNOTATOR_DATABASE_URL": f"sqlite:///{work / 'data' / 'annotator.db'}"}
        env.pop("PYTHONPATH", None)

        step("the demo: pages and their static files")
        demo_port = free_port()
        with serving([annotator, "demo", "--data-dir", str(work / "demo"), "--port", str(demo_port)], demo_port, work, env) as base:
            print(f"{check_pages(base)} static files answered 200", flush=True)

        step("a project from the shipped schema, named")
        print(run(annotator, "project", "create", "elections", "--schema", "diplomacy-stance", cwd=work, env=env).strip())

        step("train and predict with the model extra, on the demo's gold")
        demo_env = {**env, "ANNOTATOR_DATA_DIR": str(work / "demo"),
                    "ANNOTATOR_DATABASE_URL": f"sqlite:///{work / 'demo' / 'annotator.db'}"}
        for command in (["train", "diplomacy-demo", "--no-curve"], ["predict", "diplomacy-demo", "--model", "1", "--import", "--offer"]):
            said = run(annotator, *command, cwd=work, env=demo_env)
            print(next(line for line in said.splitlines() if line.startswith("baseline@1")))

        gunicorn = run(python, "-c", "import gunicorn; print(gunicorn.__version__)", cwd=work).strip()
        step(f"annotator serve under gunicorn {gunicorn}, the oldest the requirement allows")
        serve_port = free_port()
        with serving([annotator, "serve", "--port", str(serve_port), "--workers", "1"], serve_port, work, demo_env) as base:
            lena = Browser(base)
            lena.log_in("lena")
            lena.get("/projects/1")
        print("installed wheel: every check passed", flush=True)


if __name__ == "__main__":
    main()
