import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AudioFetcher, redactUrl } from './audio-fetch.js';
import { decodeAudioFile, loadAudioFile } from './audio-file.js';
import { AudioFetchError, type AudioFetchFailure } from './errors.js';
import { decodeG711, encodeG711 } from './g711.js';
import { synthesizeTone } from './tones.js';
import { encodePcm16Wav, parseWav } from './wav.js';

// A real HTTP server on 127.0.0.1: each test adds the paths it serves, and `hits` counts requests per path.
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
const hits = new Map<string, number>();
let server: Server;
let base: string;
let dir: string;

before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const h = routes.get(path);
    if (h) h(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('no such file');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'rs-audio-fetch-'));
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

function serve(path: string, body: Buffer | string, headers: Record<string, string> = { 'content-type': 'audio/wav' }): string {
  routes.set(path, (_req, res) => res.writeHead(200, headers).end(body));
  return `${base}${path}`;
}

function fetcher(o: Partial<ConstructorParameters<typeof AudioFetcher>[0]> = {}): AudioFetcher {
  return new AudioFetcher({ cacheDir: dir, ...o });
}

const tone16k = encodePcm16Wav(synthesizeTone({ frequencies: [440, 1000], durationMs: 500 }, 16000), 16000);

/** An 8 kHz µ-law WAV (format 7), as telephony tools write them. */
function mulawWav(samples: Int16Array): Buffer {
  const data = Buffer.from(encodeG711('PCMU', samples));
  const h = Buffer.alloc(46);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(38 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(18, 16);
  h.writeUInt16LE(7, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(8000, 28);
  h.writeUInt16LE(1, 32);
  h.writeUInt16LE(8, 34);
  h.writeUInt16LE(0, 36); // cbSize
  h.write('data', 38, 'ascii');
  h.writeUInt32LE(data.length, 42);
  return Buffer.concat([h, data]);
}

async function rejectsWith(p: Promise<unknown>, reason: AudioFetchFailure, shownUrl: string, text?: RegExp): Promise<AudioFetchError> {
  const err = await p.then(
    () => assert.fail(`expected ${reason}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AudioFetchError, String(err));
  assert.equal(err.reason, reason, err.message);
  assert.equal(err.url, shownUrl);
  assert.ok(err.message.startsWith(`audio at ${shownUrl}: `), err.message);
  if (text) assert.match(err.message, text);
  return err;
}

test('a 16 kHz PCM16 WAV is cached at <cacheDir>/audio/<sha256(url)>.wav as 8 kHz mono PCM16', async () => {
  const url = serve('/hello-16k.wav', tone16k);
  const f = fetcher();
  const path = await f.fetch(url);
  assert.equal(path, join(dir, 'audio', `${createHash('sha256').update(url).digest('hex')}.wav`));
  const out = await readFile(path);
  const w = parseWav(out);
  assert.deepEqual([w.encoding, w.sampleRate, w.channels], ['pcm16', 8000, 1]);
  assert.deepEqual(out, encodePcm16Wav(decodeAudioFile(tone16k, 'x.wav'), 8000), 'the same conversion as a local WAV');
  assert.equal((await loadAudioFile(path)).length, 4000, 'the player loads it: 0.5 s at 8 kHz');
});

test('an 8 kHz µ-law WAV is decoded as G.711 µ-law', async () => {
  const src = synthesizeTone({ frequencies: [350, 440], durationMs: 200 }, 8000);
  const url = serve('/ring-mulaw.wav', mulawWav(src), { 'content-type': 'audio/x-wav' });
  const samples = await loadAudioFile(await fetcher().fetch(url));
  assert.deepEqual([...samples], [...decodeG711('PCMU', encodeG711('PCMU', src))]);
});

test('an HTTP error is an http-status error with the status and the URL', async () => {
  const err = await rejectsWith(fetcher().fetch(`${base}/missing.wav`), 'http-status', `${base}/missing.wav`, /HTTP 404 Not Found/);
  assert.equal(err.status, 404);
  routes.set('/broken.wav', (_q, res) => res.writeHead(500).end());
  await rejectsWith(fetcher().fetch(`${base}/broken.wav`), 'http-status', `${base}/broken.wav`, /HTTP 500/);
});

test('a body over the limit is refused, announced or not (the bytes are counted)', async () => {
  const big = Buffer.alloc(5000, 1);
  const announced = serve('/big.wav', big, { 'content-type': 'audio/wav', 'content-length': String(big.length) });
  await rejectsWith(fetcher({ maxBytes: 4096 }).fetch(announced), 'too-large', announced, /4096-byte limit \(5000 bytes announced\)/);
  // Chunked, no Content-Length: only counting finds it.
  routes.set('/chunked.wav', (_q, res) => {
    res.writeHead(200, { 'content-type': 'audio/wav' });
    res.write(tone16k.subarray(0, 3000));
    res.end(tone16k.subarray(3000, 6000));
  });
  await rejectsWith(fetcher({ maxBytes: 4096 }).fetch(`${base}/chunked.wav`), 'too-large', `${base}/chunked.wav`, /more than 4096 bytes received/);
  // The same file under the limit is fine.
  const ok = serve('/small-enough.wav', tone16k.subarray(0, 4000));
  assert.ok(await fetcher({ maxBytes: 4096 }).fetch(ok));
});

test('a body that is not a WAV is unsupported-format, naming what came', async () => {
  const html = serve('/page.wav', '<html><body>Not found</body></html>', { 'content-type': 'text/html' });
  await rejectsWith(fetcher().fetch(html), 'unsupported-format', html, /not a RIFF\/WAVE file \(Content-Type text\/html\)/);
  const noFmt = Buffer.concat([Buffer.from('RIFF\x04\x00\x00\x00WAVE', 'latin1'), Buffer.from('junk\x04\x00\x00\x00abcd', 'latin1')]);
  const bad = serve('/bad.wav', noFmt);
  await rejectsWith(fetcher().fetch(bad), 'unsupported-format', bad, /no fmt or data chunk/);
  const float = encodePcm16Wav(new Int16Array(10), 8000);
  float.writeUInt16LE(3, 20); // IEEE float
  const f32 = serve('/float.wav', float);
  await rejectsWith(fetcher().fetch(f32), 'unsupported-format', f32, /WAV format 3/);
});

test('MP3 is refused: by the URL (no request), by Content-Type, by the body', async () => {
  const byName = `${base}/song.MP3`;
  await rejectsWith(fetcher().fetch(byName), 'unsupported-format', byName, /MP3 is not supported/);
  assert.equal(hits.get('/song.MP3'), undefined);
  const byType = serve('/stream', Buffer.alloc(100), { 'content-type': 'audio/mpeg' });
  await rejectsWith(fetcher().fetch(byType), 'unsupported-format', byType, /MP3/);
  const id3 = serve('/tagged', Buffer.concat([Buffer.from('ID3\x03\x00', 'latin1'), Buffer.alloc(50)]), { 'content-type': 'application/octet-stream' });
  await rejectsWith(fetcher().fetch(id3), 'unsupported-format', id3, /MP3/);
});

test('a slow server hits the deadline: no answer, or a body that never ends', async () => {
  routes.set('/silent.wav', () => undefined);
  const t0 = Date.now();
  await rejectsWith(fetcher({ timeoutMs: 200 }).fetch(`${base}/silent.wav`), 'timeout', `${base}/silent.wav`, /within 200 ms/);
  assert.ok(Date.now() - t0 < 2000);
  routes.set('/trickle.wav', (_q, res) => {
    res.writeHead(200, { 'content-type': 'audio/wav' });
    res.write(tone16k.subarray(0, 100));
    const t = setInterval(() => res.write(Buffer.alloc(10)), 50);
    res.on('close', () => clearInterval(t));
  });
  await rejectsWith(fetcher({ timeoutMs: 300 }).fetch(`${base}/trickle.wav`), 'timeout', `${base}/trickle.wav`);
});

test('credentials in the URL are sent as Basic auth and never shown', async () => {
  routes.set('/private.wav', (req, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from('tok:s3cr@t').toString('base64')}`) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'audio/wav' }).end(tone16k);
  });
  const port = (server.address() as AddressInfo).port;
  const good = `http://tok:s3cr%40t@127.0.0.1:${port}/private.wav`;
  assert.equal((await loadAudioFile(await fetcher().fetch(good))).length, 4000);
  const wrong = `http://tok:wrong-pw@127.0.0.1:${port}/private.wav`;
  const err = await rejectsWith(fetcher().fetch(wrong), 'http-status', `http://***:***@127.0.0.1:${port}/private.wav`, /HTTP 401/);
  assert.doesNotMatch(err.message, /tok|wrong-pw/);
  await rejectsWith(fetcher().fetch(`${base}/private.wav`), 'http-status', `${base}/private.wav`, /401/);
  assert.equal(redactUrl('http://user@h/x'), 'http://***@h/x');
  assert.equal(redactUrl('not a url://a:b@c'), 'not a url://***@c');
});

test('redirects: followed; credentials kept on the same origin, dropped for another', async () => {
  const port = (server.address() as AddressInfo).port;
  const seen: (string | undefined)[] = [];
  routes.set('/moved.wav', (_q, res) => res.writeHead(302, { location: '/private-redirected.wav' }).end());
  routes.set('/private-redirected.wav', (req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'audio/wav' }).end(tone16k);
  });
  // `localhost` is another origin than 127.0.0.1 although it reaches the same server.
  routes.set('/elsewhere.wav', (_q, res) => res.writeHead(307, { location: `http://localhost:${port}/private-redirected.wav` }).end());
  await fetcher().fetch(`http://a:b@127.0.0.1:${port}/moved.wav`);
  await fetcher().fetch(`http://a:b@127.0.0.1:${port}/elsewhere.wav`);
  assert.deepEqual(seen, [`Basic ${Buffer.from('a:b').toString('base64')}`, undefined]);
  routes.set('/loop.wav', (_q, res) => res.writeHead(301, { location: '/loop.wav' }).end());
  await rejectsWith(fetcher({ maxRedirects: 2 }).fetch(`${base}/loop.wav`), 'http-status', `${base}/loop.wav`, /more than 2 redirects/);
  assert.equal(hits.get('/loop.wav'), 3);
});

test('cache: reused for maxAgeMs, fetched again after; concurrent fetches share one download', async () => {
  let now = 1_000_000_000_000;
  const url = serve('/cached.wav', tone16k);
  const f = fetcher({ maxAgeMs: 60_000, now: () => now });
  const paths = await Promise.all([f.fetch(url), f.fetch(url), f.fetch(url)]);
  assert.equal(new Set(paths).size, 1);
  assert.equal(hits.get('/cached.wav'), 1);
  now = Date.now() + 59_000;
  await f.fetch(url);
  assert.equal(hits.get('/cached.wav'), 1, 'fresh copy reused');
  now = Date.now() + 61_000;
  await f.fetch(url);
  assert.equal(hits.get('/cached.wav'), 2, 'stale copy fetched again');
  // A failed refetch rejects (the stale copy is not served) and leaves the copy for the next try.
  routes.set('/cached.wav', (_q, res) => res.writeHead(503).end());
  now = Date.now() + 61_000;
  await rejectsWith(f.fetch(url), 'http-status', url, /503/);
  assert.equal(parseWav(await readFile(paths[0]!)).sampleRate, 8000);
});

test('bad URLs and unreachable hosts', async () => {
  await rejectsWith(fetcher().fetch('ftp://h/x.wav'), 'bad-url', 'ftp://h/x.wav', /ftp: URLs are not fetched/);
  await rejectsWith(fetcher().fetch('nonsense'), 'bad-url', 'nonsense', /not a URL/);
  // A port that was just free: connection refused.
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  await rejectsWith(fetcher().fetch(`http://127.0.0.1:${port}/x.wav`), 'network', `http://127.0.0.1:${port}/x.wav`, /ECONNREFUSED/);
});
