"""The command line: parse options, call the API, pick a renderer, exit 0 / 1 / 2."""

from __future__ import annotations

import sys

import click

from qcheck.errors import QcheckError
from qcheck.options import CHOICES
from qcheck.render import FORMATS

EXIT_USAGE = 2


class _DefaultToCheck(click.Group):
    """`qcheck MODEL ...` runs the check; `qcheck rules` and `qcheck explain` are subcommands."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def main(self, args=None, prog_name=None, **extra):
        """Usage errors are one `qcheck: error:` line and exit 2, like every other input error."""
        try:
            return super().main(args, prog_name=prog_name, standalone_mode=False, **extra)
        except click.exceptions.Exit as stop:  # --help, --version
            sys.exit(stop.exit_code)
        except click.UsageError as error:
            if isinstance(error, getattr(click.exceptions, "NoArgsIsHelpError", ())):
                click.echo(error.format_message(), err=True)  # bare `qcheck`: the help, exit 2
                sys.exit(EXIT_USAGE)
            _fail(QcheckError(error.format_message()))
        except click.Abort:
            click.echo("qcheck: aborted", err=True)
            sys.exit(130)


class _MarchOption(click.Option):
    """--march's help names the marches and boards of rules/marches.yaml, read when it is shown."""

    def get_help_record(self, ctx):
        from qcheck.rules import load_rules

        marches = ", ".join(f"{march} ({board})" for march, board in load_rules().boards().items())
        self.help = f"{marches}, another march of a --rules file, or all."
        return super().get_help_record(ctx)


def run() -> None:
    """The console script and `python -m qcheck`: main(), then, once torch is loaded, an exit
    without the interpreter's teardown. Freeing torch's state at exit takes over a second after
    an export (1.3 s measured after YOLOv8n's), and nothing the check wrote depends on it: the
    report and any output file are written and closed by then. main() called in-process keeps
    plain SystemExit."""
    try:
        main(prog_name="qcheck")
    except SystemExit as stop:
        if "torch" not in sys.modules or not isinstance(stop.code, (int, type(None))):
            raise
        import logging
        import os

        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        logging.shutdown()
        os._exit(stop.code or 0)


@click.group(cls=_DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qcheck", prog_name="qcheck")
def main():
    """Check a PyTorch model against the Horizon BPU operator-support table.

    \b
      qcheck model.pt --march bayes --input-shape 1x3x224x224
      qcheck examples/seed_net.py:Net --march bernoulli2 --input-shape 1x1x28x28
      qcheck rules --march bayes --op torch.nn.Conv2d
      qcheck explain bayes.conv2d.kernel

    Exit codes: 0 pass (or warn), 1 fail, 2 usage or input error.
    """


@main.command("check")
@click.argument("models", nargs=-1, required=True)
@click.option("--march", cls=_MarchOption, help="A march of the rule files, or all.")
@click.option("--input-shape", "input_shapes", multiple=True, metavar="1x3x224x224",
              help="Shape of a model input; repeat once per input.")
@click.option("--input-dtype", "input_dtypes", multiple=True, metavar="DTYPE",
              help="torch dtype of a model input (default float32); repeat once per input.")
@click.option("--input-source", type=click.Choice(CHOICES["input-source"]),
              help="Where the model input comes from (default ddr).")
@click.option("--activation-dtype", type=click.Choice(CHOICES["activation-dtype"]),
              help="Quantized dtype of activations, the qconfig's (default: the march's, qint8 on the shipped ones).")
@click.option("--format", "fmt", default="rich", show_default=True, type=click.Choice(list(FORMATS)),
              help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE (atomically).")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(),
              help="Extra rule file (YAML) on top of the shipped table; repeatable.")
@click.option("--ignore", multiple=True, metavar="RULE", help="Constraint id or glob to ignore; repeatable.")
@click.option("--fail-on", type=click.Choice(CHOICES["fail-on"]),
              help="Exit 1 on errors only (default), or on warnings too.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="pyproject.toml to read [tool.qcheck] from (default: found from the working directory up).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False),
              help="Fail only on findings that this baseline file does not list.")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False),
              help="Record every finding of this run in FILE.")
@click.option("--mode", type=click.Choice(CHOICES["mode"]),
              help="Quantization flow to check for (default fx; eager adds the eager-mode advice).")
@click.option("--fallback", type=click.Choice(CHOICES["fallback"]),
              help="Run failing layers on the CPU instead of failing; report the BPU/CPU partition.")
@click.option("--advice", type=float, metavar="MICROSECONDS",
              help="List layers whose estimated BPU time is above this many microseconds.")
@click.option("--flow", type=click.Choice(CHOICES["flow"]),
              help="qat: the PyTorch (QAT plugin) table (default); ptq: export to ONNX at opset 11 and "
                   "check against the vendor's ONNX lists, as its PTQ toolchain would.")
@click.option("--run-on-bpu", "run_on_bpu", multiple=True, metavar="NODE",
              help="ONNX models: run this node on the BPU (the toolchain's run_on_bpu); repeatable.")
@click.option("--max-subgraphs", type=click.IntRange(min=0), metavar="N",
              help="ONNX models: exit 1 when the model compiles to more than N BPU subgraphs.")
@click.option("--fail-on-cpu", type=click.Choice(CHOICES["fail-on-cpu"]),
              help="ONNX models: exit 1 on CPU nodes between BPU subgraphs (inside), or on any CPU node.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the report cache.")
@click.option("--quiet", "-q", is_flag=True, help="Rich report: list only failing and warning layers (and an ONNX model's CPU nodes).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def check_command(models, march, input_shapes, input_dtypes, input_source, activation_dtype, fmt, output,
                  rule_files, ignore, fail_on, config_path, baseline_path, write_baseline_path, mode,
                  fallback, advice, flow, run_on_bpu, max_subgraphs, fail_on_cpu, no_cache, quiet, debug):
    """Check MODEL(s): TorchScript (.pt), .pt2, ONNX (.onnx), or an eager spec file.py:NAME / package.module:NAME."""
    cli = {"march": march, "input_shapes": list(input_shapes), "input_dtypes": list(input_dtypes),
           "input_source": input_source, "activation_dtype": activation_dtype, "fail_on": fail_on,
           "rules": list(rule_files), "ignore": list(ignore), "fallback": fallback, "advice": advice,
           "mode": mode, "run_on_bpu": list(run_on_bpu), "max_subgraphs": max_subgraphs,
           "fail_on_cpu": fail_on_cpu, "flow": flow}
    try:
        from qcheck import config
        from qcheck.options import read_environment

        environment = read_environment()  # before any work: a bad value is one line, nothing written
        for path in (output, write_baseline_path):
            if path:
                from qcheck.output import check_writable

                check_writable(path)
        project = config.load(config_path or config.discover())
        known = None
        if baseline_path:
            from qcheck import baseline

            known = baseline.read(baseline_path)
        reports = []
        rule_files: set[tuple[str, ...]] = set()  # the rule files each model was checked with
        from qcheck.capture.streams import cli_streams
        from qcheck.gcpause import pausing_gc

        # opt-in process-wide effects: the engine may pause the collector (not capture); the
        # model's prints go to stderr and torch's stderr is muted while it exports
        with _progress() as status, pausing_gc(), cli_streams():
            # every model's options first: a bad value for the last model stops the run before
            # the first one is checked
            planned = [(model, _options_for(model, project.settings_for(model), cli)) for model in models]
            for model, options in planned:
                status(f"checking {model}")
                for report in _check_one(model, options, rule_files,
                                         cache_dir=None if no_cache else environment.cache_dir):
                    if known is not None:
                        report = baseline.apply(report, known)
                    reports.append(report)
        if write_baseline_path:
            from qcheck import baseline

            baseline.write(write_baseline_path, reports)
        _emit(reports, fmt, output, quiet, environment, rule_files)
    except QcheckError as error:
        if debug:  # the traceback, then the same one line and exit code 2 as without --debug
            import traceback

            traceback.print_exc(file=sys.stderr)
        _fail(error)
    sys.exit(max(report.exit_code for report in reports))


def _options_for(model: str, settings, cli: dict):
    """Merge config and CLI for one model into its Options, every value checked (the march too)."""
    from qcheck.inputs import INPUT_DTYPES, InputSpec, parse_shape
    from qcheck.options import Options, validate

    shapes = cli["input_shapes"] or settings.input_shapes
    dtypes = cli["input_dtypes"] or (settings.input_dtypes if not cli["input_shapes"] else [])
    if dtypes and len(dtypes) != len(shapes):
        raise QcheckError(f"{len(dtypes)} input dtypes for {len(shapes)} input shapes; give one dtype per "
                          "input, or none for float32")
    for dtype in dtypes:
        if dtype not in INPUT_DTYPES:
            raise QcheckError(f"unknown input dtype {dtype!r}; choose one of: {', '.join(INPUT_DTYPES)}")
    options = Options(
        march=cli["march"] or settings.march,
        inputs=[InputSpec(parse_shape(shape), dtypes[i] if dtypes else "float32") for i, shape in enumerate(shapes)],
        input_source=cli["input_source"] or settings.input_source,
        rules=settings.rules + cli["rules"],
        ignore=settings.ignore + cli["ignore"],
        activation_dtype=cli["activation_dtype"] or settings.activation_dtype,
        fail_on=cli["fail_on"] or settings.fail_on,
        dtype_overrides=dict(settings.dtype_overrides),
        ignore_layers=dict(settings.ignore_layers),
        fallback=cli["fallback"],
        advice=cli["advice"],
        mode=cli["mode"] or settings.mode,
        run_on_bpu=settings.run_on_bpu + (cli.get("run_on_bpu") or []),
        max_subgraphs=cli["max_subgraphs"] if cli.get("max_subgraphs") is not None else settings.max_subgraphs,
        fail_on_cpu=cli.get("fail_on_cpu") or settings.fail_on_cpu,
        flow=cli.get("flow") or settings.flow or "qat",
    )
    validate(options)
    from qcheck.onnx import is_onnx_target

    if (options.march or "").strip().lower() != "all":
        if is_onnx_target(model) and not options.rules:  # no PyTorch tables to load
            from qcheck.onnx.check import resolve_march

            resolve_march(options.march)
        else:
            _ruleset(tuple(options.rules)).resolve_march(options.march)
    return options


def _check_one(model: str, options, rule_files: set, cache_dir: str | None):
    """Check one model; serve it from the cache (in `cache_dir`; None: no cache) when nothing changed."""
    rule_files.add(tuple(options.rules))
    from qcheck.onnx import is_onnx_target

    if is_onnx_target(model) and not options.rules:  # the PTQ flow: no PyTorch tables to load
        from qcheck.onnx.check import check_with_options

        return check_with_options(model, options)
    every_march = (options.march or "").strip().lower() == "all"
    entry = _cache_key(cache_dir, model, options) if cache_dir and not every_march else None
    if entry is not None:
        from qcheck import cache

        cached = cache.get(cache_dir, entry)
        if cached is not None:
            return [cached]
    from qcheck.api import check, check_all_marches

    rules = _ruleset(tuple(options.rules))
    if every_march:
        return check_all_marches(model, options, ruleset=rules)
    report = check(model, options, ruleset=rules)
    if entry is not None:
        from qcheck import cache

        cache.put(cache_dir, entry, report)
    return [report]


_rules_cache: dict = {}


def _ruleset(rule_files: tuple[str, ...]):
    """The shipped rules plus `rule_files`, loaded once per run."""
    from qcheck.rules import load_rules

    if rule_files not in _rules_cache:
        _rules_cache[rule_files] = load_rules(list(rule_files))
    return _rules_cache[rule_files]


def _cache_key(cache_dir: str, model: str, options) -> str | None:
    """Only model files are cached (an eager spec's code can import anything)."""
    import os

    from qcheck import cache
    from qcheck.capture.spec import looks_like_spec
    from qcheck.paths import shipped_rule_files

    if looks_like_spec(model) or not os.path.isfile(model):
        return None
    from qcheck.onnx import is_onnx_target

    if is_onnx_target(model) or options.flow == "ptq":  # the key covers only the PyTorch rule files
        return None
    return cache.key(cache_dir, model, options, shipped_rule_files() + list(options.rules))


class _progress:
    """A spinner on stderr while models are captured; silent when stderr is not a terminal."""

    def __enter__(self):
        self._status = None
        if not sys.stderr.isatty():
            return self.update  # no terminal: no spinner, and no need to import rich
        from rich.console import Console

        console = Console(stderr=True)
        self._status = console.status("") if console.is_terminal else None
        if self._status is not None:
            self._status.start()
        return self.update

    def update(self, message: str) -> None:
        if self._status is not None:
            self._status.update(message)

    def __exit__(self, *exc):
        if self._status is not None:
            self._status.stop()
        return False


def _emit(reports, fmt: str, output: str | None, quiet: bool, environment, rule_files: set) -> None:
    from qcheck.render import render

    if fmt == "html":  # the boards of every march checked, also of a march from a --rules file
        boards = {march: board for files in sorted(rule_files) for march, board in _ruleset(files).boards().items()}
        _write(render(reports, fmt, layout=environment.html_layout, boards=boards), output)
        return
    if fmt != "rich" or output:
        _write(render(reports, fmt, **({"problems_only": quiet} if fmt == "rich" else {})), output)
        return
    from rich.console import Console

    from qcheck.render.terminal import build_all

    console = Console()
    if not console.is_terminal:
        console = Console(width=200)  # piped or captured: no terminal to wrap for
    for part in build_all(reports, problems_only=quiet):
        console.print(part)


def _write(text: str, output: str | None) -> None:
    if output:
        from qcheck.output import write_atomic

        write_atomic(output, text)
    else:
        sys.stdout.write(text)


def _fail(error: QcheckError) -> None:
    # One line, whatever the file name holds: control characters are shown escaped.
    line = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(error))
    click.echo(f"qcheck: error: {line}", err=True)
    sys.exit(EXIT_USAGE)


@main.command("rules")
@click.option("--march", help="Only this march.")
@click.option("--op", "op_name", help="Only this operator (table name, e.g. torch.nn.Conv2d).")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "markdown", "json"]))
@click.option("--rules", "rule_files", multiple=True, type=click.Path(), help="Extra rule file; repeatable.")
def rules_command(march, op_name, fmt, rule_files):
    """Show the support table as encoded in the rule files."""
    try:
        from qcheck import tables
        from qcheck.rules import load_rules

        rules = load_rules(list(rule_files))
        marches = [rules.resolve_march(march)] if march else list(rules.marches)
        if op_name and op_name not in rules.operators and op_name not in rules.composites:
            raise QcheckError(f"no operator {op_name!r} in the rule files; `qcheck rules` lists them")
        click.echo(tables.render_rules(rules, marches, [op_name] if op_name else None, fmt), nl=False)
    except QcheckError as error:
        _fail(error)


@main.command("explain")
@click.argument("rule_id")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(), help="Extra rule file; repeatable.")
def explain_command(rule_id, rule_files):
    """Explain one constraint (its sentence, limits, source row and note), or a composite op (its
    decomposition into table rows)."""
    try:
        from qcheck import registry, tables
        from qcheck.rules import load_rules

        rules = load_rules(list(rule_files))
        text = None
        if ".onnx." in rule_id or rule_id.startswith("onnx."):  # the ONNX lists' ids (qcheck.onnx.rules)
            from qcheck.onnx.rules import explain as explain_onnx

            text = explain_onnx(rule_id)
        if text is None:
            text = registry.explain(rules, rule_id)  # any rule id: a constraint, or one of qcheck's own
        composite = rules.find_composite(rule_id) if text is None else None
        if composite is not None:  # `qcheck explain torch.nn.Hardswish` (or hardswish): its decomposition
            text = tables.explain_composite(rules, composite)
        if text is None:
            raise QcheckError(f"no constraint {rule_id!r}; `qcheck rules --format json` lists every id")
        click.echo(text, nl=False)
    except QcheckError as error:
        _fail(error)


if __name__ == "__main__":
    main()
