#!/usr/bin/env python3
"""Reference oracle for tuneloop's Java chat-template engine.

Renders chat templates exactly the way Hugging Face transformers'
``apply_chat_template`` does (Python jinja2 with HF's environment), so the Java
engine can be checked byte for byte against it.

Usage:
    python3 hf_chat_template.py CASES.json > RESULTS.json

CASES.json:
    {"now": "2026-07-26T10:00:00",
     "cases": [{"id": "...", "template": "<jinja source>", "context": {...}}]}

A case may carry its own "now" that overrides the file-level one.

Output (stdout, UTF-8, ensure_ascii=False): a JSON array, one entry per case, in
input order:
    {"id": ..., "output": "..."}                           on success
    {"id": ..., "error": "<ExceptionClassName>: <message>"} on any exception
    (compile-time errors such as TemplateSyntaxError included)

The context is passed as ``template.render(**context)`` unchanged: the caller
(the Java side) already puts messages, tools, documents, add_generation_prompt,
bos_token, eos_token, ... into it, with explicit JSON nulls for tools/documents
when absent (HF passes ``tools=None`` and ``documents=None``), which arrive here
as Python ``None``.

Only deviation from HF: ``strftime_now`` formats a fixed instant (``now``) instead
of ``datetime.now()``, so the outputs are deterministic.  Python's strftime uses
the C library with the process locale; this script forces LC_TIME=C so names
like %b/%B are English, which is what HF produces under the usual C/en_US locale.

------------------------------------------------------------------------------
What this replicates (read from transformers 4.5x, src/transformers/utils/chat_template_utils.py,
Apache-2.0): ``_compile_jinja_template`` builds
``ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker,
jinja2.ext.loopcontrols])`` (AssistantTracker is the ``{% generation %}`` tag: its body renders as
is), sets ``filters["tojson"]`` to ``json.dumps(x, ensure_ascii=False, indent=None, separators=None,
sort_keys=False)`` (those keywords accepted), ``globals["raise_exception"]`` (raises TemplateError) and
``globals["strftime_now"]`` (``datetime.now().strftime``); ``render_jinja_template`` renders
``messages=chat, tools=tool_schemas (None without tools), documents=documents,
add_generation_prompt=..., **kwargs``, and ``apply_chat_template`` (tokenization_utils_base.py)
passes ``{**self.special_tokens_map, **kwargs}`` as those kwargs. compile_hf_template below is that
code with strftime_now bound to the fixed instant. Checked against transformers 4.57.6's own
render_jinja_template on the 600 renders of ChatTemplateConformanceTest: identical.
------------------------------------------------------------------------------
"""

import json
import locale
import sys
from contextlib import contextmanager
from datetime import datetime

import jinja2
import jinja2.exceptions
import jinja2.ext
import jinja2.nodes
import jinja2.parser
import jinja2.runtime
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment


def compile_hf_template(chat_template, now):
    """HF's _compile_jinja_template, with strftime_now bound to the fixed instant ``now``."""

    class AssistantTracker(Extension):
        # HF's {% generation %} ... {% endgeneration %}: the body renders transparently.
        tags = {"generation"}

        def __init__(self, environment):
            super().__init__(environment)
            environment.extend(activate_tracker=self.activate_tracker)
            self._rendered_blocks = None
            self._generation_indices = None

        def parse(self, parser):
            lineno = next(parser.stream).lineno
            body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
            return jinja2.nodes.CallBlock(self.call_method("_generation_support"), [], [], body).set_lineno(lineno)

        @jinja2.pass_eval_context
        def _generation_support(self, context, caller):
            rv = caller()
            if self.is_active():
                start_index = len("".join(self._rendered_blocks))
                end_index = start_index + len(rv)
                self._generation_indices.append((start_index, end_index))
            return rv

        def is_active(self):
            return self._rendered_blocks or self._generation_indices

        @contextmanager
        def activate_tracker(self, rendered_blocks, generation_indices):
            try:
                if self.is_active():
                    raise ValueError("AssistantTracker should not be reused before closed")
                self._rendered_blocks = rendered_blocks
                self._generation_indices = generation_indices
                yield
            finally:
                self._rendered_blocks = None
                self._generation_indices = None

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return now.strftime(format)

    jinja_env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, jinja2.ext.loopcontrols]
    )
    jinja_env.filters["tojson"] = tojson
    jinja_env.globals["raise_exception"] = raise_exception
    jinja_env.globals["strftime_now"] = strftime_now
    return jinja_env.from_string(chat_template)


def render_case(case, default_now):
    now = datetime.fromisoformat(case.get("now", default_now))
    try:
        template = compile_hf_template(case["template"], now)
        output = template.render(**case.get("context", {}))
        return {"id": case["id"], "output": output}
    except Exception as e:  # noqa: BLE001 - every failure is part of the contract
        return {"id": case["id"], "error": f"{type(e).__name__}: {e}"}


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: hf_chat_template.py CASES.json\n")
        return 2
    try:
        locale.setlocale(locale.LC_TIME, "C")
    except locale.Error:
        pass
    with open(argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    default_now = spec.get("now", "2026-07-26T10:00:00")
    results = [render_case(case, default_now) for case in spec["cases"]]
    out = json.dumps(results, ensure_ascii=False, indent=1)
    sys.stdout.buffer.write(out.encode("utf-8"))
    sys.stdout.buffer.write(b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
