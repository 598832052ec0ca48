// SPDX-License-Identifier: GPL-3.0-or-later
// Lets plain Node load Pexip's bundler-style dist/ files: specifiers without ".js", directory
// imports, and packages that name their entry only in "module". Registered by judge.mjs.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const isFile = p => existsSync(p) && statSync(p).isFile();

function candidate(base) {
    for (const p of [base, base + '.js', path.join(base, 'index.js')]) {
        if (isFile(p)) {
            return p;
        }
    }
    return null;
}

function packageEntry(name, context) {
    const parent = context.parentURL ? path.dirname(fileURLToPath(context.parentURL)) : '';
    for (let dir = parent; dir && dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const root = path.join(dir, 'node_modules', name);
        if (existsSync(path.join(root, 'package.json'))) {
            const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
            return candidate(path.join(root, pkg.module || pkg.main || 'index.js'));
        }
    }
    return null;
}

export async function resolve(specifier, context, nextResolve) {
    const bare = !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.includes(':');
    const parts = specifier.split('/');
    if (bare && specifier.startsWith('@pexip/') && parts.length === 2) {
        // Pexip's packages name their ES entry only in "module" ("main" is a directory).
        const found = packageEntry(specifier, context);
        if (found) {
            return { url: pathToFileURL(found).href, shortCircuit: true, format: 'module' };
        }
    }
    try {
        return await nextResolve(specifier, context);
    } catch (error) {
        const parent = context.parentURL ? path.dirname(fileURLToPath(context.parentURL)) : '';
        let found = null;
        if (specifier.startsWith('.') || specifier.startsWith('/')) {
            found = candidate(path.resolve(parent, specifier));
        } else {
            const parts = specifier.split('/');
            const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
            const sub = parts.slice(specifier.startsWith('@') ? 2 : 1).join('/');
            for (let dir = parent; dir && dir !== path.dirname(dir); dir = path.dirname(dir)) {
                const root = path.join(dir, 'node_modules', name);
                if (!existsSync(root)) {
                    continue;
                }
                if (sub) {
                    found = candidate(path.join(root, sub));
                } else {
                    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
                    found = candidate(path.join(root, pkg.module || pkg.main || 'index.js'));
                }
                break;
            }
        }
        if (!found) {
            throw error;
        }
        return { url: pathToFileURL(found).href, shortCircuit: true, format: 'module' };
    }
}
