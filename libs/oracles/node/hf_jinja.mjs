#!/usr/bin/env node
// Renders chat-template cases with @huggingface/jinja (Hugging Face's JavaScript Jinja engine, used by
// transformers.js), in the same CASES.json format as python/hf_chat_template.py. Used as evidence when
// choosing tuneloop's engine (docs/architecture.md): how often does HF's own JS engine match Python?
//
// Usage: node hf_jinja.mjs CASES.json  ->  [{"id", "output"} | {"id", "error"}]
import fs from 'node:fs';
import { Template } from '@huggingface/jinja';

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const now = new Date(spec.now ?? '2026-07-26T10:00:00Z');
const out = [];
for (const c of spec.cases) {
    try {
        // transformers.js declares raise_exception itself (and has no strftime_now, so dated templates fail)
        const context = { ...c.context };
        out.push({ id: c.id, output: new Template(c.template).render(context) });
    } catch (e) {
        out.push({ id: c.id, error: String(e?.message ?? e) });
    }
}
process.stdout.write(JSON.stringify(out));
