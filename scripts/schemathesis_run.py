"""Runs the schemathesis command line with one work-around for the Python it runs on.

CPython 3.11.7 (the version CI machines have) can raise `SystemError: AST constructor recursion depth mismatch`
from `ast.parse` when it is called deep in a recursion (CPython issue gh-106905, fixed in 3.11.8). Hypothesis calls
`ast.parse` only to print a readable name for a lambda in a strategy's description; when that error reaches a test
case, schemathesis reports a "Runtime Error" for the operation although no request failed. Here that one error makes
the description "lambda: <unknown>", which is what Hypothesis itself answers when it cannot find a lambda's source.
Every request and every check runs as before.

Usage: schemathesis_run.py ARGS… (the arguments of `schemathesis`)"""
import sys

from hypothesis.internal import lambda_sources

_describe = lambda_sources._lambda_description


def _describe_or_unknown(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError as error:
        if "recursion depth mismatch" not in str(error):
            raise
        return "lambda: <unknown>"


lambda_sources._lambda_description = _describe_or_unknown

from schemathesis.cli import schemathesis  # noqa: E402

if __name__ == "__main__":
    sys.argv[0] = "schemathesis"
    sys.exit(schemathesis())
