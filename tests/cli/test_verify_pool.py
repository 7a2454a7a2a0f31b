"""The verification pool: a Dask cluster gives the certificates `-j 1` gives; bad executors
are usage errors; a failed worker makes its design "not run", never a traceback."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from allo_verify import cli, verify_pool
from allo_verify.equiv.certificate import Certificate

DESIGNS = Path(__file__).parent / "designs"
EXAMPLES = Path(__file__).parents[2] / "examples"
TWO = [str(EXAMPLES / "producer_consumer.py"), str(EXAMPLES / "quantized_linear.py")]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def certificates(out: Path) -> dict[str, str]:
    """Every written certificate, without timings (the only part allowed to differ)."""
    return {p.name: Certificate.from_dict(json.loads(p.read_text())).to_json(timings=False)
            for p in sorted(out.glob("*.json"))}


def test_dask_cluster_gives_the_certificates_of_one_process(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    distributed = pytest.importorskip("distributed")
    base = ["--trials", "5", "--format", "json", "--json"]
    code1, text1 = run(capsys, "verify", *TWO, "--out", str(tmp_path / "j1"), "-j", "1", *base)
    # a worker process and a real TCP scheduler address, as a remote cluster has; port 0:
    # the OS picks a free port, so parallel test processes never share one. Not an
    # in-process (thread) worker: Z3 is not thread-safe, and a verification on a worker
    # thread beside this process's own Z3 objects crashed the suite once (segfault in
    # Z3_solver_assert)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  protocol="tcp", host="127.0.0.1", scheduler_port=0,
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        code2, text2 = run(capsys, "verify", *TWO, "--out", str(tmp_path / "dask"),
                           "--executor", address, *base)
    assert code1 == code2 == 0, (text1, text2)
    one, many = json.loads(text1), json.loads(text2)
    # ordered by file, then by design, whatever order the tasks finished in
    assert list(one["designs"]) == list(many["designs"])
    assert [k.split(".")[0] for k in many["designs"]] == ["producer_consumer",
                                                          "quantized_linear"]
    assert {k: v["status"] for k, v in one["designs"].items()} == \
        {k: v["status"] for k, v in many["designs"].items()}
    c1, c2 = certificates(tmp_path / "j1"), certificates(tmp_path / "dask")
    assert len(c1) == 2 and c1 == c2
    layers = [e["layer"] for e in json.loads(next(iter(c2.values())))["entries"]]
    assert {"L1", "L2", "L3"} <= set(layers)


@pytest.mark.parametrize("spec", ["dask://", "dask://host", "tcp://localhost:8786",
                                  "dask://localhost:notaport", "localhost:8786",
                                  "dask://localhost:8786/path"])
def test_malformed_executor_is_a_usage_error(spec: str, capsys) -> None:  # noqa: ANN001
    code, text = run(capsys, "verify", str(DESIGNS / "two_designs.py"), "--executor", spec)
    assert code == 3, text
    assert "--executor" in text and "dask://HOST:PORT" in text and "Traceback" not in text


def test_unreachable_scheduler_is_a_usage_error(capsys) -> None:  # noqa: ANN001
    pytest.importorskip("distributed")
    code, text = run(capsys, "verify", str(DESIGNS / "two_designs.py"), "--executor",
                     "dask://127.0.0.1:9")
    assert code == 3, text
    assert "cannot reach a Dask scheduler at tcp://127.0.0.1:9" in text


def test_a_failed_worker_makes_its_design_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(path: str, name: str, opts: dict[str, Any]) -> Any:
        if name == "by_hand":
            raise RuntimeError("worker lost")
        return None, f"{name}: fine", 0

    monkeypatch.setattr(verify_pool, "verify_task", boom)
    opts = {"layers": ["L1"], "trials": 1, "seed": 0, "allow_reassoc": False}
    path = str(DESIGNS / "two_designs.py")
    with ThreadPoolExecutor(2) as pool:
        out = verify_pool.verify_files(pool, [path], None, opts)
    assert list(out[path]) == ["fused", "by_hand"]  # file order
    assert out[path]["fused"] == (None, "fused: fine", 0)
    cert, err, code = out[path]["by_hand"]
    assert cert is None and code == 2
    assert "not run: the worker failed: RuntimeError: worker lost" in err


def test_a_file_that_does_not_load_fails_alone(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, text = run(capsys, "verify", str(DESIGNS / "syntax_error.py"),
                     str(DESIGNS / "two_designs.py"), "--out", str(tmp_path), "-j", "2",
                     "--trials", "3", "--format", "json")
    assert code == 3, text
    assert "syntax_error.py:4" in text and "two_designs.fused: PROVED" in text
    assert sorted(p.name for p in tmp_path.glob("*.json")) == [
        "two_designs.by_hand.json", "two_designs.fused.json"]


def test_dask_address_parsing() -> None:
    assert verify_pool.dask_address("dask://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert verify_pool.dask_address("dask://[::1]:8786") == "tcp://[::1]:8786"
    with pytest.raises(verify_pool.ExecutorSpecError, match="dask://HOST:PORT"):
        verify_pool.dask_address("dask://:8786")


def test_layers_split_only_when_designs_are_fewer_than_workers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, tuple[str, ...]]] = []

    def record(path: str, name: str, opts: dict[str, Any]) -> Any:
        seen.append((name, tuple(opts["layers"])))
        return None, name, 0

    monkeypatch.setattr(verify_pool, "verify_task", record)
    opts = {"layers": ["L1", "L2", "L3"], "trials": 1, "seed": 0, "allow_reassoc": False}
    path = str(DESIGNS / "two_designs.py")
    for workers, split in ((2, False), (3, True)):
        seen.clear()
        with ThreadPoolExecutor(2) as pool:
            verify_pool.verify_files(pool, [path], None, opts, workers=workers)
        want = ([(n, ls) for n in ("fused", "by_hand") for ls in (("L1", "L2"), ("L3",))]
                if split else [("fused", ("L1", "L2", "L3")), ("by_hand", ("L1", "L2", "L3"))])
        assert sorted(seen) == sorted(want)


def test_with_enough_files_each_file_is_one_task_largest_first(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A file is loaded (its schedules replayed and checked) by one worker only: one task
    per file, no per-design or listing task; the largest file is started first; results
    come back in the order the files were given."""
    small, big = tmp_path / "small.py", tmp_path / "big.py"
    small.write_text("x = 1\n")
    big.write_text("x = 1\n" * 50)
    started: list[str] = []

    def record(path: str, name: str | None, opts: dict[str, Any]) -> Any:
        started.append(Path(path).name)
        return {"d": (None, f"{Path(path).name}: fine", 0)}

    def never(*args: Any) -> Any:
        raise AssertionError("a per-design task in the by-file mode")

    monkeypatch.setattr(verify_pool, "file_task", record)
    monkeypatch.setattr(verify_pool, "verify_task", never)
    monkeypatch.setattr(verify_pool, "list_task", never)
    opts = {"layers": ["L1", "L2", "L3"], "trials": 1, "seed": 0, "allow_reassoc": False}
    names: list[str] = []
    with ThreadPoolExecutor(1) as pool:  # one thread: tasks run in submission order
        out = verify_pool.verify_files(pool, [str(small), str(big)], None, opts,
                                       names.append, workers=2)
    assert started == ["big.py", "small.py"]
    assert list(out) == [str(small), str(big)]
    assert out[str(small)] == {"d": (None, "small.py: fine", 0)}
    assert names == ["d", "d"]


def test_a_failed_file_task_makes_its_file_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(path: str, name: str | None, opts: dict[str, Any]) -> Any:
        if path.endswith("quantized_linear.py"):
            raise RuntimeError("worker lost")
        return {"joined": (None, "fine", 0)}

    monkeypatch.setattr(verify_pool, "file_task", boom)
    opts = {"layers": ["L1"], "trials": 1, "seed": 0, "allow_reassoc": False}
    with ThreadPoolExecutor(2) as pool:
        out = verify_pool.verify_files(pool, TWO, None, opts, workers=2)
    assert out[TWO[0]] == {"joined": (None, "fine", 0)}
    err, code = out[TWO[1]]
    assert code == 2 and "not run: the worker failed: RuntimeError: worker lost" in err


def test_file_task_gives_the_certificates_and_errors_of_one_process(tmp_path: Path) -> None:
    opts = {"layers": ["L1", "L2"], "trials": 1, "seed": 0, "allow_reassoc": False}
    got = verify_pool.file_task(str(DESIGNS / "two_designs.py"), None, opts)
    assert isinstance(got, dict) and list(got) == ["fused", "by_hand"]
    designs = cli._load(str(DESIGNS / "two_designs.py"))
    for n, (cert, err, code) in got.items():
        want = verify_pool.verify_design(designs[n], opts)
        assert err == "" and code == 0
        assert Certificate.from_dict(cert).to_json(timings=False) == \
            Certificate.from_dict(want).to_json(timings=False)
    err, code = verify_pool.file_task(str(DESIGNS / "syntax_error.py"), None, opts)
    assert code == 3 and "syntax_error.py:4" in err


def test_tasks_in_one_process_run_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Dask worker calls tasks on several threads; Z3 and MLIR are not thread-safe, so a
    process runs one verification at a time, whatever thread calls it."""
    import threading
    import time

    from allo_verify import verify_pool

    running, most = [0], [0]
    guard = threading.Lock()

    def fake_verify_one(design, opts, path, name):  # noqa: ANN001, ANN202
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)  # long enough for the other threads to try to enter
        with guard:
            running[0] -= 1
        return name, {"ok": name}, "", 0

    monkeypatch.setattr(verify_pool, "load_cached", lambda path: {"a": object(), "b": object()})
    monkeypatch.setattr(verify_pool, "verify_one", fake_verify_one)
    results: list[object] = []
    threads = [threading.Thread(target=lambda n=n: results.append(
                   verify_pool.verify_task("f.py", n, {})))
               for n in ("a", "b", "a", "b")]
    threads += [threading.Thread(target=lambda: results.append(
                    verify_pool.file_task("f.py", None, {})))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)  # file_task re-enters list_task: no deadlock
    assert len(results) == 5
    assert most[0] == 1
    # the lock is what keeps them apart: without it the same threads overlap
    running[0] = most[0] = 0
    bare = verify_pool.verify_task.__wrapped__
    threads = [threading.Thread(target=lambda n=n: bare("f.py", n, {})) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert most[0] == 2
