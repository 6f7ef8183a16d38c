/**
 * Verifies a bundle file while reading it: the top-level `events` array is split into its elements
 * as the text streams in and each event is checked and dropped, so a bundle of millions of events
 * needs memory for 32 bytes per event, not for the file. The other members (seals, keys, manifest)
 * are small and parsed whole. Accepts any valid JSON layout, not only the one the exporter writes.
 */
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { createBundleVerifier, type BundleTail, type VerifyOptions, type VerifyReport } from '../../domain/evidence/verify.js';
import { createChainHashPool, type ChainHashPool } from './chain-hash-pool.js';
import { createHashedEventFeed } from './hashed-event-feed.js';

export interface VerifyFileOptions extends VerifyOptions {
  /**
   * Threads parsing and hashing events beside the thread that reads the file and checks the chain:
   * 0 keeps everything on one thread. Default 'auto': one where os.availableParallelism() ≥ 2 and
   * the one-minute load average leaves a core idle, else none (see autoHashThreads).
   */
  readonly hashThreads?: number | 'auto';
  /** Smaller files are verified on one thread (default 16 MiB, ≈ 24k exported events): a thread costs milliseconds to start. */
  readonly hashThreadsFromBytes?: number;
  /** A pool to use instead of starting one (tests share one); left open. */
  readonly hashPool?: ChainHashPool;
}

const defaultHashThreadsFromBytes = 16 * 2 ** 20;

export async function verifyBundleFile(path: string, options: VerifyFileOptions = {}): Promise<VerifyReport> {
  const pool = await hashPoolFor(path, options);
  if (pool === undefined) return verifyOnThisThread(path, options);
  try {
    return await verifyWithPool(path, options, pool);
  } catch (error) {
    // The pool's path takes each line of the exporter's layout as one event without parsing it here;
    // where a line is not one (another layout, or a broken file), the file is verified again from the
    // start on this thread, which reports it exactly as it always does. A failed pool is not retried.
    if (!(error instanceof SyntaxError)) throw error;
  } finally {
    // Ended here, so the CLI exits as soon as the report is written.
    if (options.hashPool === undefined) await pool.close();
  }
  return verifyOnThisThread(path, options);
}

async function verifyOnThisThread(path: string, options: VerifyFileOptions): Promise<VerifyReport> {
  const verifier = createBundleVerifier(options);
  const tail: Record<string, unknown> = {};
  const onMember = (key: string, value: unknown): void => {
    if (key !== 'events') tail[key] = value;
  };
  const parser = createBundleStreamParser({ onEvent: (event) => verifier.addEvent(event), onMember });
  for await (const chunk of textChunks(path)) parser.write(chunk);
  parser.end();
  return verifier.finish(tail as unknown as BundleTail);
}

async function verifyWithPool(path: string, options: VerifyFileOptions, pool: ChainHashPool): Promise<VerifyReport> {
  const verifier = createBundleVerifier(options);
  const tail: Record<string, unknown> = {};
  const onMember = (key: string, value: unknown): void => {
    if (key !== 'events') tail[key] = value;
  };
  const feed = createHashedEventFeed(pool, verifier);
  const parser = createBundleStreamParser({ onEvent: (event, text) => feed.add(text, event), onEventText: (text) => feed.add(text), onMember });
  // Between chunks, the batches the pool answered are checked (and new ones go to it while it keeps up).
  for await (const chunk of textChunks(path)) {
    parser.write(chunk);
    await feed.settle();
  }
  parser.end();
  await feed.settle(true);
  return verifier.finish(tail as unknown as BundleTail);
}

/** Threads pay only for a large file and an idle core; otherwise undefined: one thread. */
async function hashPoolFor(path: string, options: VerifyFileOptions): Promise<ChainHashPool | undefined> {
  const requested = options.hashThreads ?? 'auto';
  const threads = requested === 'auto' ? autoHashThreads() : requested;
  if (threads < 1 && options.hashPool === undefined) return undefined;
  const { size } = await stat(path);
  if (size < (options.hashThreadsFromBytes ?? defaultHashThreadsFromBytes)) return undefined;
  return options.hashPool ?? createChainHashPool(threads);
}

/**
 * Each event is parsed once, by the worker or here, but handing texts and links between threads
 * costs CPU (per CPU-second 68–80k against 76–92k events/s on one thread, medians at load 3–5): the
 * worker pays where a second core would otherwise idle (up to 150–195k events/s against ≈ 110k) and
 * loses where the neighbours take both cores. Batches the worker does not keep up with are parsed
 * and hashed on this thread, not waited for (bench/README.md, "fourth pass").
 */
function autoHashThreads(): number {
  const cores = availableParallelism();
  return cores >= 2 && loadavg()[0] <= cores - 1 ? 1 : 0;
}

/**
 * The file's text as UTF-8, chunk by chunk: the same text as reading it with the 'utf8' encoding
 * (a broken sequence becomes U+FFFD). Until a chunk holds a byte above 0x7f the decoder holds
 * nothing back, and the text of an all-ASCII chunk is its bytes, copied instead of decoded (what the
 * exporter writes is mostly ASCII); from the first other chunk on, every chunk goes through the
 * decoder, which may hold the start of a character split between chunks.
 */
export async function* textChunks(path: string, chunkBytes = 1 << 20): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let decoding = false;
  for await (const bytes of createReadStream(path, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>) {
    if (!decoding && isAscii(bytes)) {
      yield bytes.toString('latin1');
    } else {
      decoding = true;
      yield decoder.write(bytes);
    }
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

export interface BundleStreamHandlers {
  /** `text`: exactly the string JSON.parse read the event from. */
  onEvent(event: unknown, text: string): void;
  /**
   * When given, an event laid out on a line of its own (the exporter's layout) is handed over as its
   * text, not parsed here: the receiver must parse it and fail with a SyntaxError where it is not
   * one JSON value (where `onEvent` would have had the same text scanned instead).
   */
  onEventText?(text: string): void;
  onMember(key: string, value: unknown): void;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

interface Capture {
  readonly kind: 'key' | 'member' | 'event';
  readonly depth: number;
  readonly scalar: boolean;
  readonly string: boolean;
}

/**
 * A scanner that knows only JSON's nesting and strings; each captured piece is handed to JSON.parse.
 * What lies between the pieces (braces, brackets, colons, commas, keys) is kept as a skeleton with
 * each piece written as {}, and JSON.parse checks the skeleton at the end: so the file as a whole must
 * be JSON, not just its pieces — a stray or missing character between events fails the file instead
 * of being skipped (found by the byte-flip property test). Consecutive events collapse to one, so
 * the skeleton stays a few hundred bytes whatever the number of events.
 */
export function createBundleStreamParser(handlers: BundleStreamHandlers): { write(chunk: string): void; end(): void } {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectKey = false;
  let awaitingValue = false;
  let inEvents = false;
  let done = false;
  let currentKey = '';
  let capture: Capture | undefined;
  let parts: string[] = [];
  let skeleton = '';
  const keys = new Set<string>();

  // Whether to try an event as the rest of its line (see below); off after the first miss.
  let linesHoldEvents = true;

  const emit = (kind: Capture['kind'], text: string): void => emitValue(kind, JSON.parse(text), text);
  const emitValue = (kind: Capture['kind'], value: unknown, text: string): void => {
    if (kind === 'key') {
      currentKey = value as string;
      // JSON.parse would keep the last of two equal keys; streaming reads both: refuse the ambiguity.
      if (keys.has(currentKey)) throw new SyntaxError(`the bundle has two "${currentKey}" members`);
      keys.add(currentKey);
      skeleton += JSON.stringify(currentKey);
    } else {
      if (kind === 'member') handlers.onMember(currentKey, value);
      else handlers.onEvent(value, text);
      // Each piece is written as {}, which no stray character next to it can turn into valid JSON (a 0
      // could: 0e7). Between elements of the events array, "{},{}" is exactly as valid as "{}": keep one.
      skeleton = inEvents && skeleton.endsWith('{},') ? skeleton.slice(0, -1) : `${skeleton}{}`;
    }
  };

  return {
    write(chunk) {
      let from = 0;
      let nextBackslash = -1;
      let nextNewline = -1;
      /**
       * The exporter writes one event per line. JSON strings hold no raw line break, so when the text
       * from an event's "{" to the end of its line (less a trailing comma) parses as one JSON value,
       * that text is exactly the object the scanner would capture: it is handed over whole instead of
       * scanned character by character. Returns the index of its closing brace, or -1 to scan.
       */
      const wholeLineEvent = (start: number): number => {
        if (nextNewline < start) {
          nextNewline = chunk.indexOf('\n', start);
          if (nextNewline === -1) nextNewline = chunk.length;
        }
        let end = nextNewline;
        if (end === chunk.length) return -1;
        while (end > start && isWhitespace(chunk.charCodeAt(end - 1))) end--;
        if (chunk.charCodeAt(end - 1) === COMMA) end--;
        if (end - 1 <= start || chunk.charCodeAt(end - 1) !== RBRACE) return -1;
        const text = chunk.slice(start, end);
        if (handlers.onEventText !== undefined) {
          // The skeleton takes it as the {} it is if it parses; the receiver parses it or fails.
          handlers.onEventText(text);
          skeleton = skeleton.endsWith('{},') ? skeleton.slice(0, -1) : `${skeleton}{}`;
          return end - 1;
        }
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          // Another layout (or a broken line, which the scanner then reports): stop guessing.
          linesHoldEvents = false;
          return -1;
        }
        emitValue('event', value, text);
        return end - 1;
      };
      const finish = (end: number): void => {
        const kind = (capture as Capture).kind;
        const text = parts.length === 0 ? chunk.slice(from, end) : parts.join('') + chunk.slice(from, end);
        capture = undefined;
        parts = [];
        emit(kind, text);
      };
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i);
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            if (capture?.string) finish(i + 1);
          } else {
            // Skip ahead to the next character that can end or escape the string. The next backslash
            // is remembered per chunk: searching for it again from every string would be quadratic.
            if (nextBackslash < i) {
              nextBackslash = chunk.indexOf('\\', i);
              if (nextBackslash === -1) nextBackslash = chunk.length;
            }
            const quote = chunk.indexOf('"', i);
            const next = Math.min(quote === -1 ? chunk.length : quote, nextBackslash);
            i = next - 1;
          }
          continue;
        }
        if (done) {
          if (!isWhitespace(c)) throw new SyntaxError('text after the end of the bundle');
          continue;
        }
        if (capture?.scalar && (isWhitespace(c) || c === COMMA || c === RBRACE || c === RBRACKET)) finish(i);
        if (isWhitespace(c)) continue;
        if (awaitingValue && !capture && c !== RBRACKET && c !== RBRACE) {
          if (c === COMMA || c === COLON) throw new SyntaxError('a value is missing');
          awaitingValue = false;
          if (depth === 1 && currentKey === 'events' && c === LBRACKET) {
            inEvents = true;
            awaitingValue = true;
            depth = 2;
            skeleton += '[';
            continue;
          }
          if (linesHoldEvents && inEvents && depth === 2 && c === LBRACE) {
            const closingBrace = wholeLineEvent(i);
            if (closingBrace !== -1) {
              // Where the scanner stands after capturing the event: back at the array's level.
              i = closingBrace;
              continue;
            }
          }
          const open = c === LBRACE || c === LBRACKET;
          capture = { kind: depth === 1 ? 'member' : 'event', depth, scalar: !open && c !== QUOTE, string: c === QUOTE };
          from = i;
        }
        // Outside every piece, the character belongs to the skeleton (a key joins it when parsed).
        if (!capture && !(c === QUOTE && depth === 1 && expectKey)) skeleton += String.fromCharCode(c);
        switch (c) {
          case QUOTE:
            inString = true;
            if (depth === 1 && expectKey && !capture) {
              expectKey = false;
              capture = { kind: 'key', depth, scalar: false, string: true };
              from = i;
            }
            break;
          case LBRACE:
          case LBRACKET:
            if (depth === 0) {
              if (c !== LBRACE) throw new SyntaxError('a bundle is a JSON object');
              expectKey = true;
            }
            depth += 1;
            break;
          case RBRACE:
          case RBRACKET:
            depth -= 1;
            if (depth < 0) throw new SyntaxError('unbalanced brackets');
            if (capture && !capture.scalar && !capture.string && depth === capture.depth) finish(i + 1);
            // A level closed outside any piece (the events array, the bundle) expects no value any more.
            else if (!capture) awaitingValue = false;
            if (inEvents && depth === 1) inEvents = false;
            if (depth === 0) done = true;
            break;
          case COLON:
            if (depth === 1) awaitingValue = true;
            break;
          case COMMA:
            if (depth === 1) expectKey = true;
            else if (depth === 2 && inEvents) awaitingValue = true;
            break;
          default:
            if (depth === 0) throw new SyntaxError('a bundle is a JSON object');
        }
      }
      if (capture) parts.push(chunk.slice(from));
    },
    end() {
      if (!done || inString) throw new SyntaxError('the file ends before the bundle does');
      try {
        JSON.parse(skeleton);
      } catch {
        throw new SyntaxError('the bundle is not valid JSON between its members or events');
      }
    },
  };
}
