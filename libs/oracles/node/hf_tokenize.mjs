#!/usr/bin/env node
// Reference tokenizer for tests: encodes text with transformers.js (@huggingface/transformers), the
// JavaScript port of Hugging Face tokenizers, so that our Java ids can be compared with an
// independent implementation.
//
// Usage:
//   node hf_tokenize.mjs CASES.json [--tokens]
// with @huggingface/transformers installed next to this file (npm install --ignore-scripts
// --no-package-lock in libs/oracles/node, as .ci/run does), or in TUNELOOP_NODE_MODULES.
//
// CASES.json:
//   {"cases": [{"id": "c1", "tokenizer_json": "/abs/tokenizer.json",
//               "tokenizer_config": "/abs/tokenizer_config.json" | null,
//               "text": "...", "add_special_tokens": false}]}
// Relative paths are resolved against the folder of CASES.json.
// Prints a JSON array on stdout: [{"id": "c1", "ids": [...]}] (with --tokens also "tokens").
//
// TUNELOOP_NODE_MODULES names a node_modules folder that holds @huggingface/transformers (installed
// with `npm install --ignore-scripts @huggingface/transformers`); ES module imports do not honour
// NODE_PATH, so the package's ESM entry is imported by absolute file URL. Without the variable the
// package is imported by name (node's normal resolution from this file's folder upwards).
// Nothing is downloaded: tokenizers are built from the given JSON files.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

async function loadTransformers() {
    const dir = process.env.TUNELOOP_NODE_MODULES;
    if (!dir) {
        return import('@huggingface/transformers');
    }
    const pkgDir = path.join(path.resolve(dir), '@huggingface', 'transformers');
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    const entry = pkg.exports?.node?.import?.default ?? pkg.exports?.node?.import ?? pkg.module ?? pkg.main;
    if (typeof entry !== 'string') {
        throw new Error(`cannot find the ESM entry of @huggingface/transformers in ${pkgDir}`);
    }
    return import(pathToFileURL(path.join(pkgDir, entry)).href);
}

function readJson(file) {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
}

async function main() {
    const args = process.argv.slice(2);
    const withTokens = args.includes('--tokens');
    const casesFile = args.find((a) => !a.startsWith('--'));
    if (!casesFile) {
        process.stderr.write('usage: node hf_tokenize.mjs CASES.json [--tokens]\n');
        process.exit(2);
    }
    const transformers = await loadTransformers();
    transformers.env.allowRemoteModels = false;
    const base = path.dirname(path.resolve(casesFile));
    const resolve = (p) => path.resolve(base, p);
    const cache = new Map();
    const tokenizerFor = (jsonPath, configPath) => {
        const key = `${jsonPath}\u0000${configPath ?? ''}`;
        if (!cache.has(key)) {
            const tokenizerJSON = readJson(resolve(jsonPath));
            const tokenizerConfig = configPath ? readJson(resolve(configPath)) : {};
            // As AutoTokenizer does: the class named by tokenizer_class ("Fast" dropped), else the base class.
            const name = tokenizerConfig.tokenizer_class?.replace(/Fast$/, '');
            const cls = (name && transformers[name]) || transformers.PreTrainedTokenizer;
            cache.set(key, new cls(tokenizerJSON, tokenizerConfig));
        }
        return cache.get(key);
    };
    const { cases } = readJson(casesFile);
    const out = [];
    for (const c of cases) {
        const tokenizer = tokenizerFor(c.tokenizer_json, c.tokenizer_config ?? null);
        const addSpecial = c.add_special_tokens ?? false;
        const ids = tokenizer.encode(c.text, { add_special_tokens: addSpecial });
        const row = { id: c.id, ids };
        if (withTokens) {
            row.tokens = tokenizer.tokenize(c.text, { add_special_tokens: addSpecial });
        }
        out.push(row);
    }
    process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
    process.stderr.write(`${e?.stack ?? e}\n`);
    process.exit(1);
});
