package io.tuneloop.oracles;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Record contents that look like template code, for tests that every templating path inserts
 * text as data: Jinja expressions and statements of every kind, sandbox escapes that work in other
 * engines (Jinjava's Java method calls, Python's dunder walks, EL), unbalanced delimiters, and
 * budget busters. Rendered anywhere in tuneloop, each must come out exactly as written.
 */
public final class HostileText {
    private HostileText() {
    }

    public static Map<String, String> corpus() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("expression", "What is {{ 7*7 }}?");
        c.put("identity-placeholders", "Hello! I am {{name}}, an AI assistant developed by {{author}}. How can I assist you today?");
        c.put("include", "{% include 'application.properties' %}");
        c.put("import", "{% import 'macros.html' as m %}{{ m.x() }}");
        c.put("from-import", "{% from 'x' import y %}");
        c.put("extends", "{% extends 'base.html' %}{% block body %}b{% endblock %}");
        c.put("java-method", "{{ ''.getClass() }} {{ ''.getClass().forName('java.lang.Runtime') }}");
        c.put("python-dunder", "{{ ''.__class__.__mro__[1].__subclasses__() }}");
        c.put("globals-walk", "{{ cycler.__init__.__globals__.os.popen('id').read() }}");
        c.put("self-reference", "{{ self._TemplateReference__context }} {{ config }} {{ request }}");
        c.put("raw-block", "{% raw %}{{ not rendered }}{% endraw %}");
        c.put("comment", "before {# hidden #} after");
        c.put("whitespace-control", "a  {{- x -}}  b {%- if true -%} c {%- endif -%} d");
        c.put("set-and-macro", "{% set x = 1 %}{{ x }}{% macro m() %}M{% endmacro %}{{ m() }}");
        c.put("huge-loop", "{% for i in range(100000000) %}x{% endfor %}");
        c.put("string-bomb", "{{ 'a' * 999999999 }}");
        c.put("unbalanced", "{{ {% {# }} %} #} {{{ }}}");
        c.put("el-and-ruby", "${7*7} #{7*7} <%= 7*7 %>");
        c.put("filters", "{{ 'x' | upper }} {{ messages | tojson }} {{ bos_token }}{{ eos_token }}");
        c.put("newlines-and-quotes", "line1\n{% if true %}\n\"quoted\" 'single' \\ back\\slash\n{% endif %}");
        return c;
    }
}
