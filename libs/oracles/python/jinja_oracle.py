"""Renders template cases with Python's jinja2, the reference for tuneloop's Java Jinja engine.

Usage: python3 jinja_oracle.py CASES.json  ->  JSON array on stdout, one entry per case:
  {"id": ..., "output": "..."} or {"id": ..., "error": "ExceptionType: message"}

CASES.json: {"cases": [{"id", "template", "context", "options": {"trim_blocks", "lstrip_blocks",
"loopcontrols", "keep_trailing_newline"}}]}. Templates are compiled in jinja2's
ImmutableSandboxedEnvironment, as Hugging Face compiles chat templates.
"""
import json
import sys

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment


def environment(options):
    extensions = [jinja2.ext.loopcontrols] if options.get("loopcontrols") else []
    return ImmutableSandboxedEnvironment(
        trim_blocks=bool(options.get("trim_blocks")),
        lstrip_blocks=bool(options.get("lstrip_blocks")),
        keep_trailing_newline=bool(options.get("keep_trailing_newline")),
        extensions=extensions,
    )


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    results = []
    for case in cases:
        try:
            template = environment(case.get("options", {})).from_string(case["template"])
            results.append({"id": case["id"], "output": template.render(**case.get("context", {}))})
        except Exception as e:  # every failure is a result: the Java side must fail too
            results.append({"id": case["id"], "error": f"{type(e).__name__}: {e}"})
    sys.stdout.write(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
