"""The leaderboard's τ²-bench view: pass^k per domain, the plain average over τ²-bench's
leaderboard domains, and the scored/excluded counts, on episodes whose figures are worked out
by hand."""
from __future__ import annotations

from rich.console import Console

from scoring.leaderboard import build_rows, rows_to_json
from scoring.tau2_view import render_tau2_table, tau2_summaries
from trajectories.records import EpisodeRow


def _ep(domain: str, task: str, trial: int, status: str, split: str = "test", agent: str = "model",
        model: str | None = "m", env: str = "tau2-lite") -> EpisodeRow:
    return EpisodeRow(id=f"{domain}-{task}-{trial}-{model}", run_id=f"run-{domain}", env=env, domain=domain,
                      task_id=task, split=split, trial=trial, agent=agent, model=model, status=status)


def _episodes() -> list[EpisodeRow]:
    eps = []
    # retail: 3 tasks × 2 trials. t0 2/2, t1 1/2, t2 0/2 → pass^1 = (1 + .5 + 0)/3 = .5, pass^2 = 1/3.
    for task, wins in (("0", 2), ("1", 1), ("2", 0)):
        for trial in range(2):
            eps.append(_ep("retail", task, trial, "succeeded" if trial < wins else "failed",
                           split="train" if task == "0" else "test"))
    eps.append(_ep("retail", "3", 0, "error"))            # excluded: an infrastructure error
    eps.append(_ep("retail", "3", 1, "harness_error"))    # excluded: a bug here
    # telecom: 1 task × 2 trials, both solved → pass^1 = pass^2 = 1.
    eps += [_ep("telecom", "a", 0, "succeeded"), _ep("telecom", "a", 1, "succeeded")]
    # mock (not one of τ²-bench's leaderboard domains): shown, never averaged.
    eps += [_ep("mock", "m", 0, "failed"), _ep("mock", "m", 1, "failed")]
    # Another env and another model do not mix in.
    eps += [_ep("retail", "0", 0, "failed", model="other"), _ep("x", "0", 0, "succeeded", env="osworld-lite")]
    return eps


def test_per_domain_pass_k_and_plain_average():
    (mine, other) = sorted(tau2_summaries(_episodes()), key=lambda s: s.model)
    assert mine.model == "m" and other.model == "other"
    retail, telecom, mock = (mine.domains[d] for d in ("retail", "telecom", "mock"))
    assert retail.pass_hat_k == {1: 0.5, 2: 1 / 3}
    assert (retail.scored, retail.excluded, retail.tasks, retail.trials_per_task) == (6, 2, 3, 2)
    assert telecom.pass_hat_k == {1: 1.0, 2: 1.0} and (telecom.scored, telecom.excluded) == (2, 0)
    assert mock.pass_hat_k == {1: 0.0, 2: 0.0}
    # Every leaderboard domain weighs the same: (0.5 + 1) / 2, not the pooled 5/8 of their
    # episodes; mock is left out (with it the mean would be 0.5).
    assert mine.average == {1: 0.75, 2: (1 / 3 + 1) / 2}
    assert mine.splits == ["test", "train"] and mine.averaged == ["retail", "telecom"]
    assert other.domains["retail"].pass_hat_k == {1: 0.0} and other.average == {1: 0.0}

    console = Console(width=200, record=True)
    console.print(render_tau2_table([mine, other]))
    text = console.export_text()
    assert "pass^1 50.0%" in text and "pass^2 33.3%" in text and "2 excluded" in text
    assert "pass^1 75.0%" in text and "not run" in text and "mock *" in text and "not averaged" in text


def test_aggregate_leaderboard_rows_carry_the_domain_average():
    eps = [e for e in _episodes() if e.split == "test" and e.domain != "mock"]
    rows = build_rows(eps)
    (aggregate,) = [r for r in rows if r.aggregate and r.model == "m"]
    # retail (test split): t1 1/2, t2 0/2 → pass^1 .25; telecom 1.0; plain mean .625 while the
    # pooled row counts 3 of 6 graded episodes.
    assert aggregate.domain_average == {1: 0.625, 2: 0.5}
    assert aggregate.success_rate == 0.5
    data = next(r for r in rows_to_json(rows) if r["aggregate"] and r["model"] == "m")
    assert data["domain_average"] == {"1": 0.625, "2": 0.5}
    assert all(r.domain_average == {} for r in rows if not r.aggregate)


def test_static_site_shows_the_tau2_view():
    from scoring.site.render import render_index

    html = render_index(_episodes())
    view = html[html.index('id="tau2-view"'):]
    view = view[:view.index("</table>")]
    assert "^1 75.0%" in view and "^1 50.0%" in view and "2 excluded" in view and "not run" in view
    assert "not averaged" in view   # mock
    assert "osworld-lite" not in view
    assert 'id="tau2-view"' not in render_index([e for e in _episodes() if e.env != "tau2-lite"])
