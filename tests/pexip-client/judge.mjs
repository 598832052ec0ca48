// SPDX-License-Identifier: GPL-3.0-or-later
// Pexip's own client code as the judge of the bundled fake node (run by pexip_client_test.py).
//
//   node judge.mjs NODE_MODULES SPEC.json   ->  JSON on stdout
//
// SPEC: {"host": "https://localhost:PORT", "answers": [{id, endpoint, status, content_type,
// body_b64}], "clients": [{id, alias, pin}], "streams": [{id, alias, wait_ms}]}. Each answer is checked with the validators of
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

// The event stream: Pexip's web client opens it with `new EventSource(URL?token=...)`, a
// browser API Node lacks; the `eventsource` package (pinned in package-lock.json) supplies it.
// A subclass watches what the client's EventSource saw: open, the first error (its HTTP
// status), and every event's raw data for the types Pexip's client listens to, plus the ones
// it skips (hello, ping, an unknown one).
const { EventSource } = await load('eventsource/dist/index.js');
const sourceEvents = await load('@pexip/infinity/dist/eventSource.js');
const streamLog = { opened: false, errors: [], events: [], urls: [] };
class WatchedEventSource extends EventSource {
    constructor(url, init) {
        super(url, init);
        streamLog.urls.push(String(url));
        this.addEventListener('open', () => { streamLog.opened = true; });
        this.addEventListener('error', event => {
            streamLog.errors.push({ code: event.code ?? null, message: String(event.message ?? '') });
        });
        for (const skipped of ['hello', 'ping', 'x_future_event']) {
            this.addEventListener(skipped, ({ data }) => streamLog.events.push({ type: skipped, data }));
        }
    }

    addEventListener(type, fn, options) {
        if (!['open', 'error', 'hello', 'ping', 'x_future_event'].includes(type)) {
            const inner = fn;
            fn = event => {
                streamLog.events.push({ type, data: event.data });
                inner(event);
            };
        }
        return super.addEventListener(type, fn, options);
    }
}
// Only while viaStream() runs: the token rows (viaClient) judge the request as before, where
// the web client gives up at the missing EventSource and releases the token itself.

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

// What Pexip's web client builds from the stream: its own event signals (eventSource.js,
// after Pexip's normalizeParticipant / normalizeConferenceState), for one alias.
async function viaStream(entry) {
    streamLog.opened = false;
    streamLog.errors = [];
    streamLog.events = [];
    streamLog.urls = [];
    const seen = { roster: [], syncBegin: 0, syncEnd: 0, conference: null, disconnect: null };
    const ev = sourceEvents.eventSignals;
    const detach = [
        ev.onParticipantSyncBegin.add(() => { seen.syncBegin += 1; seen.roster = []; }),
        ev.onParticipantCreate.add(p => {
            if (seen.syncEnd === 0) {
                seen.roster.push({ uuid: p.uuid, displayName: p.displayName, protocol: p.protocol, callTag: p.callTag });
            }
        }),
        ev.onParticipantSyncEnd.add(() => { seen.syncEnd += 1; }),
        ev.onConferenceUpdate.add(state => { seen.conference = seen.conference ?? state; }),
        ev.onDisconnect.add(({ reason }) => { seen.disconnect = seen.disconnect ?? reason; }),
    ];
    // The token as the web client gets it (requestToken of @pexip/infinity-api), then the
    // stream through the web client's own event source manager (createEventSourceManager:
    // what createInfinityClient().call() runs after the token). call() itself is not used
    // here: under Node it fails to start the media right after the stream opens and tears
    // the stream down before the first event.
    let thrown;
    let token;
    try {
        const res = await withTimeout(api.requestToken({
            fetcher: fetch, host: spec.host, params: { conferenceAlias: entry.alias },
            body: { display_name: 'check_pexip_token', call_tag: 'pexip-client-test' },
        }), 8000);
        token = res.data?.result?.token;
    } catch (error) {
        thrown = `${error.name}: ${String(error.message).slice(0, 160)}`;
    }
    globalThis.EventSource = WatchedEventSource;
    const manager = sourceEvents.createEventSourceManager({ token });
    const call = token ? manager.connect(spec.host, entry.alias).catch(error => {
        thrown = thrown ?? `stream: ${String(error?.message ?? error).slice(0, 160)}`;
    }) : Promise.resolve();
    const started = Date.now();
    // Until the roster, a disconnect or the first stream error, at most wait_ms.
    while (Date.now() - started < entry.wait_ms && seen.syncEnd === 0 && seen.disconnect === null &&
           streamLog.errors.length === 0) {
        await new Promise(resolve => setTimeout(resolve, 20));
    }
    const outcome = seen.syncEnd > 0 ? 'roster'
        : seen.disconnect !== null ? 'disconnect'
            : streamLog.errors.length > 0 ? (streamLog.opened ? 'closed' : 'refused')
                : streamLog.opened ? 'silent' : 'no stream';
    manager.close();
    delete globalThis.EventSource;
    if (token) {
        await withTimeout(api.releaseToken({
            fetcher: api.withToken(fetch, token), host: spec.host,
            params: { conferenceAlias: entry.alias }, body: {},
        }), 8000).catch(() => {});
    }
    await Promise.race([call, new Promise(resolve => setTimeout(resolve, 200))]);
    for (const d of detach) {
        if (typeof d === 'function') d();
    }
    return {
        outcome, roster: seen.syncEnd > 0 ? seen.roster : null, conference: seen.conference,
        reason: seen.disconnect, firstError: streamLog.errors[0] ?? null, thrown,
        urls: streamLog.urls.map(u => u.replace(/token=[^&]*/, 'token=<redacted>')),
        events: streamLog.events.slice(0, 200),
    };
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
const streams = [];
for (const entry of spec.streams ?? []) {
    streams.push({ id: entry.id, ...await viaStream(entry) });
}
// Pexip's @pexip/infinity-api ships validators for REST answers only, none for event payloads;
// a participant_create payload is the participant object its validateParticipants200 checks
// (GET .../participants answers {status, result: [participant, ...]}): each is checked there.
const conferenceValidation = await load('@pexip/infinity-api/dist/conference/validation.js');
const payloads = { validated: 0, accepted: 0, rejected: [], without_validator: {} };
for (const stream of streams) {
    for (const event of stream.events) {
        if (event.type === 'participant_create' || event.type === 'participant_update') {
            payloads.validated += 1;
            const validate = conferenceValidation.validateParticipants200;
            const participant = JSON.parse(event.data);
            if (validate({ status: 'success', result: [participant] })) {
                payloads.accepted += 1;
            } else {
                payloads.rejected.push({ stream: stream.id, type: event.type,
                                         why: JSON.stringify(validate.errors).slice(0, 300) });
            }
        } else {
            payloads.without_validator[event.type] = (payloads.without_validator[event.type] ?? 0) + 1;
        }
    }
    delete stream.events;
}
// Exit once the pipe took it all: a bare process.exit() may cut a large verdict short.
process.stdout.write(JSON.stringify({ answers, clients, streams, payloads, backgroundErrors }) + '\n',
                     () => process.exit(0));
