/**
 * A wire-level EventStoreDB peer: a grpc-js server built on `@eventstore/db-client`'s own generated
 * service definitions (`StreamsService`, `ServerFeaturesService`), so the real client talks real gRPC
 * to it exactly as it talks to a server. No EventStoreDB and no Docker run here; this is what the
 * adapter, the evidence sealer and whole gateways are tested against (see docs/evidence.md).
 *
 * Server behaviours it models (sources: the EventStoreDB 23.10 gRPC protocol in the client's
 * generated `streams.proto`/`shared.proto`, the client's own decoding in dist/, the server docs on
 * positions, system projections and `MaxAppendSize`):
 *  - `$all` positions are byte offsets of each record in the transaction log: sparse, increasing,
 *    commit = prepare per event (single-node, non-transactional appends). The log does not start at 0
 *    and begins with system events (`$`-streams, `$`-types), as a fresh server's log does.
 *  - With `systemProjections` on, every appended event is followed by a link event (`$>`, data
 *    `rev@stream`) in `$ce-<category>` (the `$by_category` projection), interleaved in `$all`.
 *  - Reads of `$all` forwards from a position are inclusive of the event at that position; backwards
 *    reads are exclusive; a position that is not the start of a record fails ("invalid position");
 *    `start`/`end`, `count`, both directions; stream reads by revision in both directions; a missing
 *    stream answers `StreamNotFound`.
 *  - Append (client streaming) and BatchAppend (bidirectional, correlation ids, `isFinal`), chosen
 *    by the client through `GetSupportedMethods` (`batchAppend: false` answers as a 20.x server
 *    without it). Expected revision (`any`, `no_stream`, `stream_exists`, a revision) with
 *    WrongExpectedVersion answers in each protocol's own shape; idempotent retries: the same event ids
 *    appended again after the same expected revision succeed without writing (the server's
 *    idempotency check); the maximum append size (default 1 MiB, the server's `MaxAppendSize`,
 *    counted over data + metadata of the whole append) fails with `maximum-append-size-exceeded`.
 *  - Faults on demand: UNAVAILABLE, NOT_LEADER (with the leader endpoint pointing back here, so the
 *    client reconnects as it does in a cluster), ACCESS_DENIED, UNKNOWN, and stalls (no answer until
 *    the client gives up).
 *  - Other applications' events (binary or JSON of unknown types) written straight into the log.
 *
 * Not modelled: subscriptions (`read` with a subscription option fails UNIMPLEMENTED — the adapter
 * pulls pages), filtered reads, deletes and tombstones, stream metadata/ACLs and authentication,
 * explicit transactions (commit != prepare), persistent subscriptions, projections management,
 * gossip/cluster discovery, TLS, scavenging, and server-side deadlines of BatchAppend.
 */
import { randomUUID } from 'node:crypto';
import { anyPb, emptyPb, featuresGrpc, featuresPb, grpc, pb, recordedOf, shared, statusPb, streamsGrpc, type Msg, type PeerRecord } from './esdb-peer-messages.js';

export type { PeerRecord };


/** `lost-answer`: the append is written, then the connection drops before the answer (a timeout after commit). */
export type FaultKind = 'unavailable' | 'not-leader' | 'access-denied' | 'unknown' | 'stall' | 'lost-answer';
export type FaultTarget = 'read' | 'append' | 'any';

export interface EsdbPeerOptions {
  /** Offer BatchAppend in GetSupportedMethods (the client then uses it for every append). */
  readonly batchAppend?: boolean;
  readonly maxAppendSize?: number;
  /** Emit `$ce-<category>` link events after every append, as `$by_category` does. */
  readonly systemProjections?: boolean;
}

export interface EsdbPeer {
  readonly connectionString: string;
  readonly port: number;
  /** Every record in `$all` order, system and foreign ones included. */
  records(): readonly PeerRecord[];
  /** Writes another application's event (JSON or binary) straight into the log. */
  appendForeign(stream: string, type: string, data: Buffer | object, contentType?: string): PeerRecord;
  /** The next `count` calls of `target` fail with `kind`. */
  injectFault(kind: FaultKind, options?: { count?: number; target?: FaultTarget }): void;
  clearFaults(): void;
  /** Calls answered since start, by kind, for tests that count reads left open. */
  readonly stats: { openReads: number; reads: number; appends: number; batchAppends: number };
  /** Replaces the stored bytes of a record (what a database writer could do), keeping its position. */
  tamper(position: bigint, data: object): void;
  close(): Promise<void>;
}

const ticksPerMs = 10_000n;
const epochTicks = 621_355_968_000_000_000n; // .NET ticks at 1970-01-01, as `created` is in the wire format
const headerBytes = 96; // per-record overhead in the log, so positions are sparse like the real chunk format

export async function startEsdbPeer(options: EsdbPeerOptions = {}): Promise<EsdbPeer> {
  const maxAppendSize = options.maxAppendSize ?? 1024 * 1024;
  const log: PeerRecord[] = [];
  const byPosition = new Map<bigint, number>();
  const streams = new Map<string, PeerRecord[]>();
  let nextPosition = 1_536n; // a real log starts after its chunk header and epoch records
  const faults: { kind: FaultKind; target: FaultTarget }[] = [];
  const stats = { openReads: 0, reads: 0, appends: 0, batchAppends: 0 };
  const stalled = new Set<() => void>();

  const write = (stream: string, type: string, contentType: string, data: Buffer, metadata: Buffer, id: string = randomUUID()): PeerRecord => {
    const list = streams.get(stream) ?? [];
    const record: PeerRecord = {
      streamName: stream,
      revision: list.length,
      position: nextPosition,
      id,
      type,
      contentType,
      data,
      metadata,
      created: BigInt(Date.now()) * ticksPerMs + epochTicks,
    };
    nextPosition += BigInt(headerBytes + stream.length + type.length + data.length + metadata.length);
    byPosition.set(record.position, log.length);
    log.push(record);
    list.push(record);
    streams.set(stream, list);
    return record;
  };
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  // What a fresh server writes before any user event.
  write('$users', '$User', 'application/json', json({ loginName: 'admin' }), Buffer.alloc(0));
  write('$settings', '$settings', 'application/json', json({ $userStreamAcl: { $r: '$all' } }), Buffer.alloc(0));
  write('$scavenges', '$scavengeStarted', 'application/json', json({ scavengeId: randomUUID() }), Buffer.alloc(0));

  const linkAfter = (record: PeerRecord) => {
    if (!options.systemProjections) return;
    const category = record.streamName.split('-')[0];
    write(`$ce-${category}`, '$>', 'application/octet-stream', Buffer.from(`${record.revision}@${record.streamName}`), json({ $v: '1:-1:1:4' }));
  };

  const takeFault = (target: 'read' | 'append'): FaultKind | undefined => {
    const index = faults.findIndex((fault) => fault.target === 'any' || fault.target === target);
    if (index < 0) return undefined;
    return faults.splice(index, 1)[0]!.kind;
  };

  const faultError = (kind: Exclude<FaultKind, 'stall'>) => {
    if (kind === 'lost-answer') kind = 'unavailable';
    const metadata = new grpc.Metadata();
    switch (kind) {
      case 'unavailable':
        return { code: grpc.status.UNAVAILABLE, details: 'Server Is Not Ready', metadata };
      case 'not-leader':
        metadata.set('exception', 'not-leader');
        metadata.set('leader-endpoint-host', '127.0.0.1');
        metadata.set('leader-endpoint-port', String(port));
        return { code: grpc.status.NOT_FOUND, details: 'Leader info available', metadata };
      case 'access-denied':
        metadata.set('exception', 'access-denied');
        return { code: grpc.status.PERMISSION_DENIED, details: 'Access Denied', metadata };
      case 'unknown':
        return { code: grpc.status.UNKNOWN, details: 'Unexpected error in the storage writer', metadata };
    }
  };

  /** Ends a streaming call with an error status (grpc-js sends the status of an 'error' event). */
  const failCall = (call: Msg, status: { code: number; details: string; metadata?: unknown }) => call.emit('error', status);

  /** Answers a stalled call only when the client gives up (cancel or deadline). */
  const stall = (call: { on(event: 'cancelled', fn: () => void): unknown }) => {
    const release = () => stalled.delete(release);
    stalled.add(release);
    call.on('cancelled', release);
  };

  const resolveLink = (record: PeerRecord): PeerRecord | undefined => {
    if (record.type !== '$>') return undefined;
    const [revision, ...rest] = record.data.toString().split('@');
    return streams.get(rest.join('@'))?.[Number(revision)];
  };

  const readEventOf = (record: PeerRecord, resolveLinks: boolean, withCommit: boolean): Msg => {
    const resp = new pb.ReadResp();
    const event = new pb.ReadResp.ReadEvent();
    const target = resolveLinks ? resolveLink(record) : undefined;
    if (target) {
      event.setEvent(recordedOf(target));
      event.setLink(recordedOf(record));
    } else {
      event.setEvent(recordedOf(record));
    }
    if (withCommit) event.setCommitPosition(String(record.position));
    else event.setNoPosition(new shared.Empty());
    resp.setEvent(event);
    return resp;
  };

  const read = (call: Msg) => {
    stats.reads += 1;
    const fault = takeFault('read');
    if (fault === 'stall') return stall(call);
    if (fault) return failCall(call, faultError(fault));
    stats.openReads += 1;
    call.on('close', () => (stats.openReads -= 1));
    const options = call.request.getOptions();
    if (options.hasSubscription()) {
      return failCall(call, { code: grpc.status.UNIMPLEMENTED, details: 'subscriptions are not modelled' });
    }
    const count = options.hasCount() ? Number(options.getCount()) : Number.MAX_SAFE_INTEGER;
    const backwards = options.getReadDirection() === 1;
    const resolveLinks = options.getResolveLinks();
    let selected: PeerRecord[];
    if (options.hasAll()) {
      const all = options.getAll();
      let index: number;
      if (all.hasStart()) index = backwards ? -1 : 0;
      else if (all.hasEnd()) index = backwards ? log.length - 1 : log.length;
      else {
        const commit = BigInt(all.getPosition().getCommitPosition());
        const prepare = BigInt(all.getPosition().getPreparePosition());
        const found = byPosition.get(commit);
        if (commit !== prepare || (found === undefined && commit !== 0n && commit < nextPosition)) {
          return failCall(call, { code: grpc.status.UNKNOWN, details: `Invalid position: ${commit}/${prepare}` });
        }
        if (found === undefined) index = commit === 0n ? (backwards ? -1 : 0) : backwards ? log.length - 1 : log.length;
        else index = backwards ? found - 1 : found;
      }
      selected = backwards ? log.slice(Math.max(0, index - count + 1), index + 1).reverse() : log.slice(index, index + count);
    } else {
      const stream = options.getStream();
      const name = Buffer.from(stream.getStreamIdentifier().getStreamName()).toString('utf8');
      const list = streams.get(name);
      if (!list) {
        const resp = new pb.ReadResp();
        const notFound = new pb.ReadResp.StreamNotFound();
        notFound.setStreamIdentifier(stream.getStreamIdentifier());
        resp.setStreamNotFound(notFound);
        call.write(resp);
        return call.end();
      }
      let index = stream.hasStart() ? (backwards ? -1 : 0) : stream.hasEnd() ? (backwards ? list.length - 1 : list.length) : Number(stream.getRevision());
      if (stream.hasRevision() && index >= list.length) index = backwards ? list.length - 1 : list.length;
      selected = backwards ? list.slice(Math.max(0, index - count + 1), index + 1).reverse() : list.slice(index, index + count);
    }
    for (const record of selected) call.write(readEventOf(record, resolveLinks, options.hasAll()));
    call.end();
  };

  /** Checks and writes one append; returns the outcome in protocol-neutral form. */
  const appendOutcome = (
    stream: string,
    expected: { kind: 'any' | 'no_stream' | 'stream_exists' } | { kind: 'revision'; revision: number },
    proposed: readonly { id: string; type: string; contentType: string; data: Buffer; metadata: Buffer }[],
  ):
    | { ok: true; revision: number; position: bigint }
    | { ok: false; wrongVersion: true; current: number | undefined }
    | { ok: false; tooBig: true } => {
    const size = proposed.reduce((sum, message) => sum + message.data.length + message.metadata.length, 0);
    if (size > maxAppendSize) return { ok: false, tooBig: true };
    const list = streams.get(stream) ?? [];
    const current = list.length === 0 ? undefined : list.length - 1;
    // Idempotency: the same ids already written right after the expected revision (or anywhere, for any).
    const start = expected.kind === 'revision' ? expected.revision + 1 : expected.kind === 'no_stream' ? 0 : list.findIndex((r) => r.id === proposed[0]?.id);
    if (start >= 0 && proposed.length > 0 && proposed.every((message, i) => list[start + i]?.id === message.id)) {
      const last = list[start + proposed.length - 1]!;
      return { ok: true, revision: last.revision, position: last.position };
    }
    const conflict =
      (expected.kind === 'no_stream' && current !== undefined) ||
      (expected.kind === 'stream_exists' && current === undefined) ||
      (expected.kind === 'revision' && expected.revision !== current);
    if (conflict) return { ok: false, wrongVersion: true, current };
    let last: PeerRecord | undefined;
    for (const message of proposed) {
      last = write(stream, message.type, message.contentType, message.data, message.metadata, message.id);
    }
    for (const record of list.slice(list.length - proposed.length)) linkAfter(record);
    return { ok: true, revision: last!.revision, position: last!.position };
  };

  const proposedOf = (message: Msg) => ({
    id: message.getId().getString() as string,
    type: message.getMetadataMap().get('type') as string,
    contentType: message.getMetadataMap().get('content-type') as string,
    data: Buffer.from(message.getData_asU8()),
    metadata: Buffer.from(message.getCustomMetadata_asU8()),
  });

  const append = (call: Msg, callback: Msg) => {
    stats.appends += 1;
    const fault = takeFault('append');
    let options: Msg;
    const proposed: ReturnType<typeof proposedOf>[] = [];
    call.on('data', (request: Msg) => {
      if (request.hasOptions()) options = request.getOptions();
      else proposed.push(proposedOf(request.getProposedMessage()));
    });
    call.on('end', () => {
      if (fault === 'stall') return stall(call);
      if (fault && fault !== 'lost-answer') return callback(faultError(fault));
      const stream = Buffer.from(options.getStreamIdentifier().getStreamName()).toString('utf8');
      const expected = options.hasRevision()
        ? { kind: 'revision' as const, revision: Number(options.getRevision()) }
        : { kind: options.hasNoStream() ? ('no_stream' as const) : options.hasStreamExists() ? ('stream_exists' as const) : ('any' as const) };
      const outcome = appendOutcome(stream, expected, proposed);
      if (fault === 'lost-answer') return callback(faultError(fault));
      const resp = new pb.AppendResp();
      if (outcome.ok) {
        const success = new pb.AppendResp.Success();
        success.setCurrentRevision(String(outcome.revision));
        const position = new pb.AppendResp.Position();
        position.setCommitPosition(String(outcome.position));
        position.setPreparePosition(String(outcome.position));
        success.setPosition(position);
        resp.setSuccess(success);
        return callback(null, resp);
      }
      if ('tooBig' in outcome) {
        const metadata = new grpc.Metadata();
        metadata.set('exception', 'maximum-append-size-exceeded');
        metadata.set('maximum-append-size', String(maxAppendSize));
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: `Maximum Append Size of ${maxAppendSize} Exceeded.`, metadata });
      }
      const wrong = new pb.AppendResp.WrongExpectedVersion();
      if (outcome.current === undefined) wrong.setCurrentNoStream(new shared.Empty());
      else wrong.setCurrentRevision(String(outcome.current));
      if (expected.kind === 'revision') wrong.setExpectedRevision(String(expected.revision));
      else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new shared.Empty());
      else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new shared.Empty());
      else wrong.setExpectedAny(new shared.Empty());
      resp.setWrongExpectedVersion(wrong);
      callback(null, resp);
    });
  };

  const batchAppend = (call: Msg) => {
    const pending = new Map<string, { options?: Msg; proposed: ReturnType<typeof proposedOf>[]; fault?: FaultKind }>();
    call.on('data', (request: Msg) => {
      const correlation = request.getCorrelationId().getString() as string;
      let entry = pending.get(correlation);
      if (!entry) {
        stats.batchAppends += 1;
        entry = { proposed: [], fault: takeFault('append') };
        pending.set(correlation, entry);
      }
      if (request.hasOptions()) entry.options = request.getOptions();
      for (const message of request.getProposedMessagesList()) entry.proposed.push(proposedOf(message));
      if (!request.getIsFinal()) return;
      pending.delete(correlation);
      if (entry.fault === 'stall') return;
      if (entry.fault && entry.fault !== 'lost-answer') {
        // A transport-level fault ends the whole bidirectional call, as a dropped connection does.
        return failCall(call, faultError(entry.fault));
      }
      const options = entry.options;
      const stream = Buffer.from(options.getStreamIdentifier().getStreamName()).toString('utf8');
      const expected = options.hasStreamPosition()
        ? { kind: 'revision' as const, revision: Number(options.getStreamPosition()) }
        : { kind: options.hasNoStream() ? ('no_stream' as const) : options.hasStreamExists() ? ('stream_exists' as const) : ('any' as const) };
      const outcome = appendOutcome(stream, expected, entry.proposed);
      if (entry.fault === 'lost-answer') return failCall(call, faultError('unavailable'));
      const resp = new pb.BatchAppendResp();
      resp.setCorrelationId(request.getCorrelationId());
      resp.setStreamIdentifier(options.getStreamIdentifier());
      if (outcome.ok) {
        const success = new pb.BatchAppendResp.Success();
        success.setCurrentRevision(String(outcome.revision));
        const position = new shared.AllStreamPosition();
        position.setCommitPosition(String(outcome.position));
        position.setPreparePosition(String(outcome.position));
        success.setPosition(position);
        resp.setSuccess(success);
      } else {
        const status = new statusPb.Status();
        const details = new anyPb.Any();
        if ('tooBig' in outcome) {
          status.setCode(3);
          status.setMessage(`Maximum Append Size of ${maxAppendSize} Exceeded.`);
          const tooBig = new shared.MaximumAppendSizeExceeded();
          tooBig.setMaxappendsize(maxAppendSize);
          details.pack(tooBig.serializeBinary(), 'event_store.client.MaximumAppendSizeExceeded');
        } else {
          status.setCode(9);
          status.setMessage('WrongExpectedVersion');
          const wrong = new shared.WrongExpectedVersion();
          if (outcome.current === undefined) wrong.setCurrentNoStream(new emptyPb.Empty());
          else wrong.setCurrentStreamRevision(String(outcome.current));
          if (expected.kind === 'revision') wrong.setExpectedStreamPosition(String(expected.revision));
          else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new emptyPb.Empty());
          else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new emptyPb.Empty());
          else wrong.setExpectedAny(new emptyPb.Empty());
          details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
        }
        status.setDetails(details);
        resp.setError(status);
      }
      call.write(resp);
    });
    call.on('end', () => call.end());
  };

  const getSupportedMethods = (_call: Msg, callback: Msg) => {
    const methods = new featuresPb.SupportedMethods();
    methods.setEventStoreServerVersion('23.10.0');
    const names = ['read', 'append', ...(options.batchAppend === false ? [] : ['batchappend'])];
    methods.setMethodsList(
      names.map((name) => {
        const method = new featuresPb.SupportedMethod();
        method.setServiceName('event_store.client.streams.streams');
        method.setMethodName(name);
        return method;
      }),
    );
    callback(null, methods);
  };

  const unimplemented = (_call: Msg, callback?: Msg) => {
    const error = { code: grpc.status.UNIMPLEMENTED, details: 'not modelled by the peer' };
    if (typeof callback === 'function') callback(error);
    else failCall(_call, error);
  };

  const server = new grpc.Server();
  server.addService(streamsGrpc.StreamsService, {
    read,
    append,
    batchAppend,
    delete: unimplemented,
    tombstone: unimplemented,
  });
  server.addService(featuresGrpc.ServerFeaturesService, { getSupportedMethods });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );

  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    records: () => [...log],
    appendForeign(stream, type, data, contentType = Buffer.isBuffer(data) ? 'application/octet-stream' : 'application/json') {
      const bytes = Buffer.isBuffer(data) ? data : json(data);
      const record = write(stream, type, contentType, bytes, Buffer.alloc(0));
      linkAfter(record);
      return record;
    },
    injectFault(kind, { count = 1, target = 'any' } = {}) {
      for (let i = 0; i < count; i++) faults.push({ kind, target });
    },
    clearFaults() {
      faults.length = 0;
    },
    stats,
    tamper(position, data) {
      const index = byPosition.get(position);
      if (index === undefined) throw new Error(`no record at ${position}`);
      const record = log[index]!;
      const changed = { ...record, data: json(data) };
      log[index] = changed;
      const list = streams.get(record.streamName)!;
      list[record.revision] = changed;
    },
    async close() {
      for (const release of [...stalled]) release();
      server.forceShutdown();
    },
  };
}
