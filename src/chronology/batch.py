"""--vary: every combination of some parameters' values, rendered over a pool of processes.

Each worker renders its share one page after another in one warm kernel; every variant's
parameters are checked before any kernel starts, so that a typo does not cost a batch.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from . import paths
from .errors import ChronologyError
from .index import write_index
from .kernel import Kernel
from .render import BadRenderInput, check_inputs, check_parameters, parameter_types, render, resolve_notebook, safe_output_path


def variants(vary: list[tuple[str, str]], types: dict | None = None) -> list[dict]:
    """--vary naming dual,armenian --vary audience reader,class -> the cross product of parameters.

    Values are typed by the notebook's declared types (`types`), as -p values are.
    """
    from .params import BUNDLED_TYPES, type_cli_value

    types = BUNDLED_TYPES if types is None else types
    axes = [(name, [type_cli_value(v.strip(), types.get(name)) for v in values.split(",") if v.strip()]) for name, values in vary]
    return [dict(zip([a for a, _ in axes], combo)) for combo in itertools.product(*[vals for _, vals in axes])]


def variant_name(stem: str, variant: dict) -> str:
    return "-".join([stem] + [f"{k}-{v}" for k, v in variant.items()])


def check_variants(nb_path: Path, base: dict, vary, *, out_dir: Path, stem: str | None = None, origin: dict | None = None, data: bool = True) -> list[dict]:
    """Every variant's file name and parameters (and data), checked before any kernel starts: the variants."""
    jobs = variants(vary, parameter_types(nb_path))
    if not jobs:
        raise BadRenderInput("--vary: expected NAME VALUE[,VALUE...] with at least one value")
    stem = stem or nb_path.stem
    for variant in jobs:  # a value that makes a bad file name is the --vary value's fault, not --name's
        name = variant_name(stem, variant)
        blame = " ".join(f"{k} {v!r}" for k, v in variant.items())
        safe_output_path(out_dir, name, flag="--vary", blame=blame)
    problems = []
    for variant in jobs:
        try:
            (check_inputs if data else check_parameters)(nb_path, {**base, **variant}, origin)
        except ChronologyError as err:
            problems.append(f"{variant_name(stem, variant)}: {err}")
    if problems:
        raise BadRenderInput("\n".join(problems))
    return jobs


def _render_share(job: tuple) -> list[tuple[str, str, int]]:
    """One worker's share of a batch: its variants one after another in one warm kernel."""
    notebook, base, share, out_dir, stem, timeout, quiet = job
    nb_path = resolve_notebook(notebook)
    kernel = Kernel(nb_path.parent)
    results = []
    try:
        for variant in share:
            name = variant_name(stem, variant)
            try:
                path = render(notebook, {**base, **variant}, out_dir=out_dir, name=name, timeout=timeout, quiet=quiet, kernel=kernel)
                results.append((name, str(path), 0))
            except ChronologyError as err:
                results.append((name, str(err), err.exit_code))
    finally:
        kernel.shutdown()
    return results


def render_batch(notebook: str, base: dict, vary: list[tuple[str, str]], *, out_dir: Path | None = None, stem: str | None = None, timeout: int = 600, quiet: bool | None = None, workers: int | None = None, origin: dict | None = None) -> list[tuple[str, str, int]]:
    """Every combination of the varied parameters, spread over the cores, each core with one kernel.

    Returns (name, path or message, exit code) per variant, in the order of `variants(vary)`' shares.
    """
    from concurrent.futures import ProcessPoolExecutor

    nb_path = resolve_notebook(notebook)
    out_dir = Path(out_dir or paths.REPORTS_DIR)
    jobs = check_variants(nb_path, base, vary, out_dir=out_dir, stem=stem, origin=origin)
    stem = stem or nb_path.stem
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    shares = [jobs[i::workers] for i in range(workers)]
    args = [(str(nb_path), base, share, out_dir, stem, timeout, quiet) for share in shares]
    if workers == 1:
        results = [r for a in args for r in _render_share(a)]
    else:
        import multiprocessing

        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = [r for share in pool.map(_render_share, args) for r in share]
    write_index(out_dir)
    return results
