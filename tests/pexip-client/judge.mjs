// SPDX-License-Identifier: GPL-3.0-or-later
// Pexip's own client code as the judge of the bundled fake node (run by pexip_client_test.py).
//
//   node judge.mjs NODE_MODULES SPEC.json   ->  JSON on stdout
//
// SPEC: {"host": "https://localhost:PORT", "answers": [{id, endpoint, status, content_type,
// body_b64}], "clients": [{id, alias, pin}]}. Each answer is checked with the validators of
// @pexip/infinity-api (dist/token/validation.js) the way its requestToken/releaseToken would;
// each client entry drives Pexip's own request code against the fake: requestToken() of
// @pexip/infinity-api and the web app's client (createInfinityClient().call() of
// @pexip/infinity), and reports how each classified the answer.
import { register } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, specFile] = process.argv.slice(2);
register(pathToFileURL(path.join(path.dirname(new URL(import.meta.url).pathname),
                                 'resolve_hook.mjs')).href);
// Pexip's web client expects a browser: these globals are enough up to its EventSource.
globalThis.window = globalThis;
globalThis.document = globalThis.document || { baseURI: 'https://localhost/' };
// Pexip's logger writes to the console; stdout carries only the verdict.
for (const level of ['log', 'info', 'debug', 'warn', 'error', 'trace']) {
    console[level] = () => {};
}

const load = rel => import(pathToFileURL(path.join(modules, rel)).href);
const validation = await load('@pexip/infinity-api/dist/token/validation.js');
const api = await load('@pexip/infinity-api/dist/index.js');
const infinity = await load('@pexip/infinity/dist/index.js');
infinity.setLogger?.(new Proxy({}, { get: () => () => {} }));

const spec = JSON.parse(readFileSync(specFile, 'utf8'));

// The validator requestToken()/releaseToken()/refreshToken() would apply, by status.
const VALIDATORS = {
    request_token: { 200: 'validateRequestToken200', 403: 'validateRequestToken403',
                     404: 'validateRequestToken404', 415: 'validateRequestToken415',
                     502: 'validateRequestToken502', 503: 'validateRequestToken503',
                     504: 'validateRequestToken504', 529: 'validateRequestToken529' },
    release_token: { 200: 'validateReleaseToken200', 403: 'validateReleaseToken403' },
    refresh_token: { 200: 'validateRefreshToken200', 403: 'validateRefreshToken403' },
};

function judgeAnswer(answer) {
    const name = (VALIDATORS[answer.endpoint] || {})[answer.status];
    if (!name) {
        return { valid: false, why: `no schema for HTTP ${answer.status} (Pexip's client throws "Unexpected status")` };
    }
    if (!(answer.content_type || '').startsWith('application/json')) {
        return { valid: false, validator: name, why: `Content-Type ${answer.content_type || '(none)'} is not JSON` };
    }
    let data;
    try {
        data = JSON.parse(Buffer.from(answer.body_b64, 'base64').toString('utf8'));
    } catch (error) {
        return { valid: false, validator: name, why: 'body is not JSON' };
    }
    const validate = validation[name];
    // The validators delete unknown keys (removeAdditional): give them a copy.
    // ran: the validator itself judged the answer (the cases above never reach it).
    if (validate(structuredClone(data))) {
        return { valid: true, validator: name, ran: true };
    }
    return { valid: false, validator: name, ran: true,
             why: JSON.stringify(validate.errors).slice(0, 400) };
}

function withTimeout(promise, ms) {
    let timer;
    const expired = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    });
    return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

// Pexip's web client releases the token in the background on its own and does not catch
// a failing release (release-404, release-500): that is its business, not a verdict.
const backgroundErrors = [];
process.on('unhandledRejection', error => backgroundErrors.push(String(error?.message ?? error)));

// How @pexip/infinity-api's requestToken() result reads (the typed wrapper).
function apiOutcome(res) {
    const result = res.data?.result;
    if (res.status === 200) return 'token';
    if (typeof result === 'string') {
        if (result === 'Invalid PIN') return 'invalid PIN';
        if (res.status === 404) return 'not found';
        return 'other error';
    }
    if (res.status === 403 && result) {
        if ('pin' in result && 'guest_pin' in result) return 'PIN required';
        if ('idp' in result || ('redirect_url' in result && 'redirect_idp' in result)) return 'IdP required';
        if ('conference_extension' in result && 'conference_extension_type' in result) return 'extension required';
    }
    return 'other error';
}

async function viaApi(entry) {
    const fetcher = entry.pin ? api.withPin(fetch, entry.pin) : fetch;
    try {
        const res = await withTimeout(api.requestToken({
            fetcher, host: spec.host, params: { conferenceAlias: entry.alias },
            body: { display_name: 'check_pexip_token', call_tag: 'pexip-client-test' },
        }), 8000);
        if (res.status === 200) {
            // Leave no participant behind, as the plugin does.
            const token = res.data.result.token;
            await withTimeout(api.releaseToken({
                fetcher: api.withToken(fetch, token), host: spec.host,
                params: { conferenceAlias: entry.alias }, body: {},
            }), 8000).catch(() => {});
        }
        return { outcome: apiOutcome(res), status: res.status };
    } catch (error) {
        return { outcome: 'other error', thrown: `${error.name}: ${String(error.message).slice(0, 160)}` };
    }
}

// How the web app's client (@pexip/infinity) classifies: by the signal it emits.
async function viaClient(entry) {
    const signals = infinity.createInfinityClientSignals([], {});
    const callSignals = infinity.createCallSignals([]);
    let outcome = null;
    let detail;
    const first = (value, more) => {
        if (outcome === null) {
            outcome = value;
            detail = more;
        }
    };
    signals.onPinRequired.add(() => first('PIN required'));
    signals.onIdp.add(() => first('IdP required'));
    signals.onRedirect.add(() => first('IdP required'));
    signals.onExtension.add(() => first('extension required'));
    signals.onServiceType.add(type => first('token', type));
    signals.onError.add(({ error, errorCode }) => first(
        error === 'Invalid PIN' ? 'invalid PIN'
            : error === 'Neither conference nor gateway found' ? 'not found' : 'other error',
        `${error} ${errorCode}`));
    const client = infinity.createInfinityClient(signals, callSignals);
    let thrown;
    let status;
    try {
        status = (await withTimeout(client.call({
            conferenceAlias: entry.alias, displayName: 'check_pexip_token',
            callTag: 'pexip-client-test', host: spec.host, node: new URL(spec.host).host,
            pin: entry.pin || undefined, mediaStream: undefined,
        }), 8000))?.status;
    } catch (error) {
        thrown = `${error.name}: ${String(error.message).slice(0, 160)}`;
    }
    // After a token the client wants an EventSource (absent in Node): it gives up and
    // releases the token itself; make sure it has.
    await withTimeout(client.disconnect({ reason: 'pexip-client-test' }), 4000).catch(() => {});
    // Pexip's client emits one onError for 404 as for 5xx: the status tells "not found".
    if (outcome === 'other error' && status === 404) {
        outcome = 'not found';
    }
    return { outcome: outcome ?? 'other error', detail, thrown, status };
}

function judgeSafely(answer) {
    try {
        return judgeAnswer(answer);
    } catch (error) {
        // e.g. 100000 levels of nesting: Pexip's code throws RangeError on it
        return { valid: false, threw: true,
                 why: `${error.name}: ${String(error.message).slice(0, 160)}` };
    }
}

const answers = spec.answers.map(answer => ({ id: answer.id, ...judgeSafely(answer) }));
const clients = [];
for (const entry of spec.clients) {
    const apiResult = await viaApi(entry);
    const clientResult = await viaClient(entry);
    clients.push({ id: entry.id, api: apiResult, client: clientResult });
}
process.stdout.write(JSON.stringify({ answers, clients, backgroundErrors }) + '\n');
process.exit(0);
