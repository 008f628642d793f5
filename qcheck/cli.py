"""The command line: parse options, call the API, pick a renderer, exit 0 / 1 / 2."""

from __future__ import annotations

import sys

import click

from qcheck.errors import QcheckError

EXIT_USAGE = 2


class _DefaultToCheck(click.Group):
    """`qcheck MODEL ...` runs the check; `qcheck rules` and `qcheck explain` are subcommands."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["check", *args]
        return super().parse_args(ctx, args)


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
@click.option("--march", help="bernoulli2 (RDK X3), bayes (RDK Ultra / J5) or bayes_e (RDK X5).")
@click.option("--input-shape", "input_shapes", multiple=True, metavar="1x3x224x224",
              help="Shape of a model input; repeat once per input.")
@click.option("--input-dtype", "input_dtypes", multiple=True, metavar="DTYPE",
              help="torch dtype of a model input (default float32); repeat once per input.")
@click.option("--input-source", default="ddr", show_default=True,
              type=click.Choice(["ddr", "pyramid", "resizer"]), help="Where the model input comes from.")
@click.option("--activation-dtype", default="qint8", show_default=True, type=click.Choice(["qint8", "qint16"]),
              help="Quantized dtype of activations (the qconfig's).")
@click.option("--format", "fmt", default="rich", show_default=True, type=click.Choice(["rich", "json"]),
              help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(),
              help="Extra rule file (YAML) on top of the shipped table; repeatable.")
@click.option("--ignore", multiple=True, metavar="RULE", help="Constraint id or glob to ignore; repeatable.")
@click.option("--fail-on", default="error", show_default=True, type=click.Choice(["error", "warning"]),
              help="Exit 1 on errors only, or on warnings too.")
@click.option("--quiet", "-q", is_flag=True, help="Rich report: list only failing and warning layers.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def check_command(models, march, input_shapes, input_dtypes, input_source, activation_dtype, fmt, output,
                  rule_files, ignore, fail_on, quiet, debug):
    """Check MODEL(s): TorchScript (.pt), .pt2, or an eager spec file.py:NAME / package.module:NAME."""
    try:
        from qcheck.api import Options, check
        from qcheck.capture import INPUT_DTYPES, InputSpec, parse_shape
        from qcheck.rules import load_rules

        if input_dtypes and len(input_dtypes) != len(input_shapes):
            raise QcheckError(f"{len(input_dtypes)} --input-dtype for {len(input_shapes)} --input-shape; "
                              "give one dtype per input, or none for float32")
        for dtype in input_dtypes:
            if dtype not in INPUT_DTYPES:
                raise QcheckError(f"unknown input dtype {dtype!r}; choose one of: {', '.join(INPUT_DTYPES)}")
        inputs = [InputSpec(parse_shape(shape), input_dtypes[i] if input_dtypes else "float32")
                  for i, shape in enumerate(input_shapes)]
        rules = load_rules(list(rule_files))
        options = Options(march=march, inputs=inputs, input_source=input_source, rules=list(rule_files),
                          ignore=list(ignore), activation_dtype=activation_dtype, fail_on=fail_on)
        rules.resolve_march(march)  # fail on a bad march before any model is loaded
        reports = [check(model, options, ruleset=rules) for model in models]
        _emit(reports, fmt, output, quiet)
    except QcheckError as error:
        if debug:
            raise
        _fail(error)
    sys.exit(max(report.exit_code for report in reports))


def _emit(reports, fmt: str, output: str | None, quiet: bool) -> None:
    from qcheck.render import render

    if fmt == "json":
        if len(reports) == 1:
            text = render(reports[0], "json")
        else:
            import json

            text = json.dumps({"schema_version": 1, "reports": [r.to_dict() for r in reports]},
                              indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        _write(text, output)
        return
    if output:
        _write("".join(render(r, "rich", problems_only=quiet) for r in reports), output)
        return
    from rich.console import Console

    from qcheck.render.terminal import build

    console = Console()
    if not console.is_terminal:
        console = Console(width=200)  # piped or captured: no terminal to wrap for
    for report in reports:
        for part in build(report, problems_only=quiet):
            console.print(part)


def _write(text: str, output: str | None) -> None:
    if output:
        from qcheck.output import write_atomic

        write_atomic(output, text)
    else:
        sys.stdout.write(text)


def _fail(error: QcheckError) -> None:
    click.echo(f"qcheck: error: {error}", err=True)
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
        if op_name and op_name not in rules.operators:
            raise QcheckError(f"no operator {op_name!r} in the rule files; `qcheck rules` lists them")
        click.echo(tables.render_rules(rules, marches, [op_name] if op_name else None, fmt), nl=False)
    except QcheckError as error:
        _fail(error)


@main.command("explain")
@click.argument("rule_id")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(), help="Extra rule file; repeatable.")
def explain_command(rule_id, rule_files):
    """Explain one constraint: its sentence, limits, source row and note."""
    try:
        from qcheck import tables
        from qcheck.rules import load_rules

        rules = load_rules(list(rule_files))
        constraint = rules.find_constraint(rule_id)
        if constraint is None:
            raise QcheckError(f"no constraint {rule_id!r}; `qcheck rules --format json` lists every id")
        click.echo(tables.explain(rules, constraint), nl=False)
    except QcheckError as error:
        _fail(error)


if __name__ == "__main__":
    main()
