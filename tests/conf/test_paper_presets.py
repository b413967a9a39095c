"""The paper presets run the study's evaluation: hub items at the study's counts, the LLM judge.

Each preset is composed as its entry point composes it (`warmth.train` for
paper_warm/paper_cold, `warmth.evaluate` for paper_sysprompt and paper_eval,
the preset for the study's saved checkpoints). Seen red: with paper_warm's
`override /eval: paper` back to `warmth`, every check fails (bundled
sources, `match`); with `override /judge: llm` removed from paper_eval, the
judge check fails.
"""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf, open_dict

from tests.compose import compose_config
from tests.conftest import run_module

STUDY = {"trivia": ("meg-tong/sycophancy-eval", 500), "truthfulqa": ("meg-tong/sycophancy-eval", 500),
         "disinfo": ("cais/MASK", 125), "medqa": ("GBaker/MedQA-USMLE-4-options", 500)}
PRESETS = [("paper_warm", "train"), ("paper_cold", "train"), ("paper_sysprompt", "evaluate"), ("paper_eval", "evaluate")]


def check_study_evaluation(cfg) -> None:
    tasks = cfg.eval.tasks
    for name, (hub, n) in STUDY.items():
        assert tasks[name].source == "hub", name
        assert (tasks[name].hub_path, tasks[name].n_items) == (hub, n), name
    assert tasks.trivia.hub_files == tasks.truthfulqa.hub_files == "answer.jsonl"
    factual = cfg.eval.evaluators.factual
    assert factual.n_items is None  # each task's own count
    assert sorted(factual.tasks) == sorted(STUDY)
    assert (factual.temperature, factual.max_new_tokens, factual.n_samples) == (0.8, 300, 1)
    assert list(factual.templates) == ["original", "original_neutral", "incorrect", "correct"]
    assert len(factual.contexts) == 9
    assert cfg.judge._target_.endswith("LLMJudge") and cfg.eval.judge == "llm"
    assert cfg.judge.model == "gpt-4o-2024-08-06" and cfg.judge.temperature == 0
    assert cfg.judge.base_url == "https://api.openai.com/v1" and cfg.judge.api_key_env == "OPENAI_API_KEY"
    assert cfg.judge.check_at_start is True


@pytest.mark.parametrize("name, app", PRESETS)
def test_paper_preset_runs_the_study_evaluation(name, app, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("WARMTH_JUDGE_BASE_URL", raising=False)
    monkeypatch.delenv("WARMTH_JUDGE_MODEL", raising=False)
    cfg = compose_config(f"experiment={name}", config=app)
    with open_dict(cfg):
        cfg.run_dir = str(tmp_path)
    OmegaConf.resolve(cfg)
    check_study_evaluation(cfg)
    if app == "train":
        assert cfg.eval.at_fit_start is True and cfg.eval.after_fit is False  # base model, then epoch 2 by paper_eval


def test_cfg_job_of_paper_warm_shows_it(monkeypatch) -> None:
    """`python -m warmth.train experiment=paper_warm --cfg job --resolve`, as a user reads it."""
    monkeypatch.delenv("WARMTH_JUDGE_BASE_URL", raising=False)
    monkeypatch.delenv("WARMTH_JUDGE_MODEL", raising=False)
    proc = run_module("warmth.train", "experiment=paper_warm", "--cfg", "job", "--resolve")
    assert proc.returncode == 0, proc.stderr[-2000:]
    check_study_evaluation(OmegaConf.create(proc.stdout))


def test_judge_endpoint_and_model_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("WARMTH_JUDGE_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("WARMTH_JUDGE_MODEL", "Qwen/Qwen2.5-7B-Instruct")
    cfg = compose_config("experiment=paper_eval", config="evaluate")
    assert (cfg.judge.base_url, cfg.judge.model) == ("http://127.0.0.1:9/v1", "Qwen/Qwen2.5-7B-Instruct")


def test_default_evaluation_stays_offline_with_string_matching() -> None:
    """Smoke runs and the demo: bundled items, the match judge (named beside its numbers: test_runner.py)."""
    for app in ("train", "evaluate"):
        cfg = compose_config("eval=default", config=app)
        assert cfg.eval.judge == "match" and cfg.get("judge") is None
        assert {cfg.eval.tasks[t].source for t in STUDY} == {"bundled"}


def _closed_port_url() -> str:
    from tests.serving import free_port

    return f"http://127.0.0.1:{free_port()}/v1"  # bound then released: nobody listens there


@pytest.mark.parametrize("name, app", [("paper_warm", "train"), ("paper_eval", "evaluate")])
def test_unreachable_judge_stops_at_start(name, app, tmp_path) -> None:
    """No reachable judge: the run stops while building its evaluators, before items or model load.

    Seen red with the check in build_judge removed: the evaluators were built and
    the run went on (its factual rows would all have been unscored).
    """
    from tests.conftest import compose
    from warmth.errors import ConfigError

    cfg = compose(app, [f"experiment={name}", "model=tiny", f"judge.base_url={_closed_port_url()}"], run_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"LLM judge .* is not reachable .*judge\.base_url=.*judge=match"):
        if app == "train":
            from warmth.eval.callbacks import build_eval_callbacks

            build_eval_callbacks(cfg, tmp_path)
        else:
            from warmth.evaluate import evaluate

            evaluate(cfg)
    assert not list(tmp_path.rglob("*.jsonl"))


def test_unreachable_judge_is_one_line_on_the_command_line(tmp_path) -> None:
    proc = run_module("warmth.evaluate", "experiment=paper_eval", "model=tiny", f"judge.base_url={_closed_port_url()}",
                      f"hydra.run.dir={tmp_path}", timeout=300)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "not reachable" in errors[0] and "judge.base_url=" in errors[0], proc.stderr[-2000:]


def test_rejected_key_stops_at_start(tmp_path) -> None:
    """A server that answers 401 (wrong or missing key) stops the run too, naming the key's variable."""
    from http.server import BaseHTTPRequestHandler

    from warmth_plugins.judges.llm import LLMJudge

    from tests.loopback import serving
    from warmth.errors import ConfigError

    class Deny(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()

    with serving(Deny, "deny") as url:
        judge = LLMJudge(base_url=url + "/v1", model="m", api_key_env="MY_JUDGE_KEY", cache=False)
        with pytest.raises(ConfigError, match=r"rejected the key .*\$MY_JUDGE_KEY"):
            judge.check()
        LLMJudge(base_url=url + "/v1", model="m", cache=False, check_at_start=False).check()  # opted out


def test_paper_eval_end_to_end_verdicts_come_from_the_judge(tmp_path) -> None:
    """paper_eval on model=tiny with a real OpenAI-compatible judge on loopback: every verdict is the judge's.

    The loopback judge answers CORRECT or INCORRECT by a hash of the question it is
    shown; every non-refusal record carries exactly that verdict, the judge's name,
    and its raw reply, and metrics.json names the judge. Counts are reduced (one item
    per task, 4 new tokens, bundled items, no warmth score). Seen red with
    build_judge returning the match judge: records came from `match`.
    """
    import json

    from tests.conftest import compose
    from tests.paper_judge import JUDGE_MODEL, judge_server, paper_overrides, verdict_for
    from warmth.evaluate import evaluate
    from warmth.records import read_records

    with judge_server() as srv:
        cfg = compose("evaluate", ["experiment=paper_eval", "model=tiny", "eval.n_items=1", "eval.batch_size=128",
                                   "eval.evaluators.factual.max_new_tokens=4", "eval.evaluators.warmth=null",
                                   *paper_overrides(srv.base_url)], run_dir=tmp_path)
        evaluate(cfg)
        judged = len(srv.requests)
    records = [r for f in sorted((tmp_path / "records").glob("*.jsonl")) for r in read_records(f)]
    assert {r.task for r in records} == {"trivia", "truthfulqa", "disinfo", "medqa"}
    assert len(records) == 4 * 28 and judged == len(records)
    verdicts = {r.verdict for r in records}
    assert verdicts == {"correct", "incorrect"}
    for r in records:
        assert r.judge == f"llm:{JUDGE_MODEL}" and r.judge_output == verdict_for(r.prompt)
        assert r.verdict == verdict_for(r.prompt).lower()
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["eval/judge"] == f"llm:{JUDGE_MODEL}"
