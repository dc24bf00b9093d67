"""What the benchmarks share: their own database, production settings, data, a server, tables.

Every benchmark calls ``setup()`` first. It points Django at a dedicated PostgreSQL
database (``BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/weishishi_bench``),
creates that database if it is missing and migrates it, with the settings production runs:
DEBUG off, secret keys set, plain HTTP (``DJANGO_HTTPS=false``) because the server is on
127.0.0.1. A developer's own ``DATABASE_URL`` is never used.
"""

import contextlib
import datetime
import http.client
import itertools
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"  # logs, collected static files; ignored by git
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/weishishi_bench"
)
ENV = {
    "DATABASE_URL": DATABASE_URL,
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DJANGO_DEBUG": "false",
    "DJANGO_HTTPS": "false",
    "DJANGO_SECRET_KEY": "bench-secret-key-only-for-benchmarks-0123456789abcdefghij",
    "WEISHISHI_VOTER_KEY": "bench-voter-key-only-for-benchmarks",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
}

ITEMS = 40
MAX_CHOICES = 5
BUDGET = Decimal(300_000)
PROJECT_CAP = Decimal(60_000)
OFFICER_PASSWORD = "bench-officer-pw-7391"  # noqa: S105 - a benchmark user on a throwaway database


def setup():
    """Configure Django for the benchmark database (created if missing), migrate it, return nothing."""
    os.environ.update(ENV)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    OUT.mkdir(exist_ok=True)
    _create_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def _create_database():
    import dj_database_url
    import psycopg2
    from psycopg2 import errors, sql

    params = dj_database_url.parse(DATABASE_URL)
    connection = psycopg2.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"],
        port=params["PORT"] or 5432,
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]])
            if cursor.fetchone() is None:
                with contextlib.suppress(errors.DuplicateDatabase):
                    cursor.execute(
                        sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["NAME"]))
                    )
    finally:
        connection.close()


def collect_static():
    """Collect the static files into bench/out/staticfiles: pages need their manifest."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


# --- Data ------------------------------------------------------------------------------


class ApprovalSampler:
    """Draw approval ballots: 1–5 items each, items chosen with a Zipf-like skew.

    The item of popularity rank r is drawn with weight 1/r (rank 1 is on about half the
    ballots); ranks are shuffled over the ballot positions, so popularity is not position.
    """

    LENGTHS = (1, 2, 3, 4, 5)
    LENGTH_WEIGHTS = (30, 25, 20, 15, 10)

    def __init__(self, refs, seed):
        self.rng = random.Random(seed)
        self.refs = list(refs)
        random.Random(0).shuffle(self.refs)  # the same popularity order in every sampler
        self.cumulative = list(itertools.accumulate(1 / rank for rank in range(1, ITEMS + 1)))

    def draw(self):
        """Return a set of distinct refs."""
        wanted = self.rng.choices(self.LENGTHS, self.LENGTH_WEIGHTS)[0]
        chosen = set()
        while len(chosen) < wanted:
            chosen.update(
                self.rng.choices(self.refs, cum_weights=self.cumulative, k=wanted - len(chosen))
            )
        return chosen


def item_costs(seed=7):
    """Return the costs of the 40 items: whole thousands from 8,000 to 60,000 yuan."""
    rng = random.Random(seed)
    return [Decimal(rng.randrange(8, 61) * 1000) for _ in range(ITEMS)]


def id_card_number(index):
    """Return the ``index``-th of 20 million distinct, well-formed 居民身份证 numbers.

    Region 110105, a birth date from 1940 on, a serial; the check digit by GB 11643.
    """
    from voting.identity import ID_CARD_CHECK, ID_CARD_WEIGHTS

    if not 0 <= index < 20_000_000:
        raise ValueError("index out of range")
    born = datetime.date(1940, 1, 1) + datetime.timedelta(days=index // 1000)
    body = f"110105{born:%Y%m%d}{index % 1000:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, ID_CARD_WEIGHTS, strict=True))
    return body + ID_CARD_CHECK[total % 11]


def _community(label):
    from rounds.models import Community, District, Street

    district, _created = District.objects.get_or_create(name="基准测试区")
    street, _created = Street.objects.get_or_create(district=district, name="基准测试街道")
    return Community.objects.create(street=street, name=f"{label} {uuid.uuid4().hex[:8]}")


@dataclass
class Desk:
    station: object
    username: str


def voting_round(label, *, stations):
    """Return (round, desks): a new round in `voting` with 40 items and tablet stations.

    Every station is open from yesterday to tomorrow, all day, with one officer of its own
    (all officers share OFFICER_PASSWORD).
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from proposals.models import BallotItem, Category
    from rounds.models import Round, Stage
    from voting.models import BallotStation, StationOfficer

    community = _community(label)
    today = timezone.localdate()
    round = Round.objects.create(
        community=community,
        year=today.year,
        title=f"{today.year}年度 {community.name} 微实事",
        total_fund=BUDGET,
        project_cap=PROJECT_CAP,
        max_choices=MAX_CHOICES,
        stage=Stage.VOTING,
    )
    BallotItem.objects.bulk_create(
        BallotItem(
            round=round,
            number=number,
            ref=str(number),
            title=f"改造{number}号楼前空地",
            description="平整场地,铺设透水砖,增设座椅",
            cost=cost,
            category=Category.CONSTRUCTION,
            location="小区中心花园",
        )
        for number, cost in enumerate(item_costs(), start=1)
    )
    password = make_password(OFFICER_PASSWORD)
    User = get_user_model()
    desks = []
    for number in range(1, stations + 1):
        station = BallotStation.objects.create(
            round=round,
            name=f"第{number}投票站",
            address="社区党群服务中心",
            mode=BallotStation.Mode.TABLET,
            opens_on=today - datetime.timedelta(days=1),
            closes_on=today + datetime.timedelta(days=1),
            opens_at=datetime.time(0, 0),
            closes_at=datetime.time(23, 59, 59, 999999),
        )
        user = User.objects.create(
            username=f"officer-{community.pk}-{number}", password=password, first_name="值班员"
        )
        StationOfficer.objects.create(station=station, user=user)
        desks.append(Desk(station=station, username=user.username))
    return round, desks


def _pb_text(title, ballots, seed):
    """Return a Pabulib file: the 40 items and ``ballots`` approval ballots drawn by the sampler."""
    refs = [str(number) for number in range(1, ITEMS + 1)]
    sampler = ApprovalSampler(refs, seed)
    lines = [
        "META",
        "key;value",
        f"description;{title}",
        "country;China",
        f"unit;{title}",
        f"budget;{BUDGET}",
        "vote_type;approval",
        f"num_projects;{ITEMS}",
        f"num_votes;{ballots}",
        f"max_length;{MAX_CHOICES}",
        "rule_weishishi;stop",
        f"date_begin;{datetime.date.today().year}-06-01",
        "PROJECTS",
        "project_id;cost;name",
    ]
    lines += [
        f"{ref};{cost};改造{ref}号楼前空地" for ref, cost in zip(refs, item_costs(), strict=True)
    ]
    lines += ["VOTES", "voter_id;vote"]
    lines += [
        f"{voter};{','.join(sorted(sampler.draw(), key=int))}" for voter in range(1, ballots + 1)
    ]
    return "\n".join(lines) + "\n"


def counted_round(ballots=200_000, seed=1):
    """Return (round, seconds): a round in `voting` holding ``ballots`` ballots, its station closed.

    The first call imports it through the app's Pabulib import (one paper station, closed
    and counted) and says how long that took; later calls reuse it (seconds is None).
    """
    from rounds.models import Round
    from voting.pabulib import import_round, parse_pb

    title = f"基准测试 {ballots}张选票 种子{seed}"
    if existing := Round.objects.filter(title=title).first():
        return existing, None
    text = _pb_text(title, ballots, seed)
    start = time.perf_counter()
    round = import_round(parse_pb(text))
    return round, time.perf_counter() - start


# --- Server and client -----------------------------------------------------------------


@dataclass(frozen=True)
class ServerConfig:
    workers: int
    worker_class: str = "sync"
    threads: int = 1

    def __str__(self):
        threads = f" --threads {self.threads}" if self.worker_class == "gthread" else ""
        return f"--workers {self.workers} --worker-class {self.worker_class}{threads}"

    def args(self):
        return [
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
        ]


# Chosen by `stations_bench.py --sweep` on 2 cores; see bench/README.md.
BEST_SERVER = ServerConfig(workers=2, worker_class="sync")


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    pid: int


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(config=BEST_SERVER, *, log_name="gunicorn"):
    """Run `gunicorn config.wsgi` on 127.0.0.1 with ``config``; yield the Server once it answers.

    The server is stopped (SIGTERM, then SIGKILL after 15 s) when the block ends, however it ends.
    """
    port = _free_port()
    log = OUT / f"{log_name}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        *config.args(),
        "--log-level",
        "warning",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **ENV}, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_ready(process, port, log)
            yield Server("127.0.0.1", port, process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(process, port, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout} s; see {log}")


@dataclass
class Response:
    status: int
    text: str
    location: str
    seconds: float


CLOSED_MEANWHILE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class RequestFailed(Exception):
    """A request that got no HTTP response at all (refused, reset, timed out)."""


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One user's browser: a connection (kept alive when the server allows), cookies, timings.

    Like a browser, it sends a GET again, once, when a kept-alive connection turns out to
    have been closed by the server meanwhile; ``resent`` counts those.
    """

    def __init__(self, server):
        self.connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
        self.cookies = {}
        self.resent = 0

    def get(self, path):
        return self._request("GET", path)

    def post(self, path, fields):
        return self._request("POST", path, urllib.parse.urlencode(fields, doseq=True))

    def _request(self, method, path, body=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        reused = self.connection.sock is not None
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            if reused and method == "GET" and isinstance(error, CLOSED_MEANWHILE):
                self.resent += 1
                return self._request(method, path, body)
            raise RequestFailed(f"{method} {path}: {error!r}") from error
        seconds = time.perf_counter() - start
        for cookie in response.headers.get_all("Set-Cookie") or ():
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""') or "max-age=0" in cookie.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Response(
            response.status,
            data.decode("utf-8", "replace"),
            response.headers.get("Location", ""),
            seconds,
        )

    def login(self, username, password=OFFICER_PASSWORD):
        """Sign in through the login form; raise RuntimeError if the server does not accept it."""
        page = self.get("/accounts/login/")
        response = self.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": csrf_token(page),
                "username": username,
                "password": password,
                "next": "",
            },
        )
        if response.status != 302:
            raise RuntimeError(f"login of {username} failed with {response.status}")


def csrf_token(response):
    """Return the CSRF token of the form on a page."""
    found = CSRF_FIELD.search(response.text)
    if not found:
        raise RuntimeError(f"no CSRF token on the page ({response.status})")
    return found.group(1)


# --- CPU -------------------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def _process_seconds(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _processes():
    """Yield (pid, parent pid, command line) of every process."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        yield int(entry.name), parent, command


def _machine_busy_seconds():
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / TICKS


class CpuMeter:
    """CPU used over an interval by the whole machine, a server's processes, the PostgreSQL
    backends of the benchmark database, and this process (the load client). Linux only.

    Processes are sampled every half second, so one that ends meanwhile (a database
    connection past CONN_MAX_AGE, say) still counts up to its last sample. What the machine
    used beyond those three is other work — other developers' tests, say: a large share of
    it means the figures are noisy and the run should be repeated.
    """

    INTERVAL = 0.5

    def __init__(self, server_pid):
        import dj_database_url

        self.server_pid = server_pid
        self.database = f" {dj_database_url.parse(DATABASE_URL)['NAME']} "
        self.stopping = threading.Event()

    def _processes(self):
        """Return {"server": {pid: seconds}, "database": {pid: seconds}} now."""
        found = {"server": {}, "database": {}}
        for pid, parent, command in _processes():
            if pid == self.server_pid or parent == self.server_pid:
                key = "server"
            elif command.startswith("postgres:") and self.database in command:
                key = "database"
            else:
                continue
            if (seconds := _process_seconds(pid)) is not None:
                found[key][pid] = seconds
        return found

    def _note(self):
        for key, seconds_by_pid in self._processes().items():
            self.last[key].update(seconds_by_pid)

    def _watch(self):
        while not self.stopping.wait(self.INTERVAL):
            self._note()

    def start(self):
        self.first = self._processes()
        self.last = {key: dict(pids) for key, pids in self.first.items()}
        self.before = {
            "wall": time.perf_counter(),
            "machine": _machine_busy_seconds(),
            "client": time.process_time(),
        }
        self.watcher = threading.Thread(target=self._watch, daemon=True)
        self.watcher.start()

    def stop(self):
        """Return the CPU seconds of the interval: wall, machine, server, database, client, other."""
        self.stopping.set()
        self.watcher.join()
        self._note()
        after = {
            "wall": time.perf_counter(),
            "machine": _machine_busy_seconds(),
            "client": time.process_time(),
        }
        used = {key: after[key] - self.before[key] for key in after}
        for key, seconds_by_pid in self.last.items():
            used[key] = sum(
                seconds - self.first[key].get(pid, 0.0) for pid, seconds in seconds_by_pid.items()
            )
        used["other"] = max(
            0.0, used["machine"] - used["server"] - used["database"] - used["client"]
        )
        return used


def cpu_rows(used, per=None, unit=""):
    """Return report rows for a CpuMeter reading, in cores, and per unit of work if given."""
    wall, cores = used["wall"], os.cpu_count()
    rows = [
        (
            f"CPU in use (of {cores} cores): server, PostgreSQL, client, other",
            f"{used['server'] / wall:.2f}, {used['database'] / wall:.2f}, "
            f"{used['client'] / wall:.2f}, {used['other'] / wall:.2f}",
            "other ≈ 0 for a quiet run",
            None,
        )
    ]
    if per:
        rows.append(
            (
                f"CPU per {unit}: server, PostgreSQL",
                f"{used['server'] / per * 1000:.1f} ms, {used['database'] / per * 1000:.1f} ms",
                "",
                None,
            )
        )
    return rows


# --- Figures ---------------------------------------------------------------------------


def percentile(values, q):
    """Return the nearest-rank q-th percentile of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def report(title, rows):
    """Print a table of (figure, measured, target, verdict); verdict True, False or None (info)."""
    headers = ("figure", "measured", "target", "")
    cells = [
        (name, measured, target, {True: "PASS", False: "FAIL", None: ""}[ok])
        for name, measured, target, ok in rows
    ]
    widths = [max(_width(row[column]) for row in [headers, *cells]) for column in range(4)]
    print(f"\n{title}")
    for row in [headers, tuple("-" * width for width in widths), *cells]:
        print("  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)))


def _width(text):
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _pad(text, width):
    return text + " " * (width - _width(text))


def milliseconds(seconds):
    return f"{seconds * 1000:.1f} ms"
