/**
 * The wire side of the EventStoreDB peer (esdb-peer.ts): the client's own generated gRPC definitions and
 * protobuf messages, loaded from where @eventstore/db-client resolves them, and the recorded-event
 * message a server sends for a log record.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const clientRoot = require.resolve('@eventstore/db-client').replace(/dist[\\/]index\.js$/, '');
/* eslint-disable @typescript-eslint/no-require-imports */
export const grpc = require(require.resolve('@grpc/grpc-js', { paths: [clientRoot] })) as typeof import('@grpc/grpc-js');
export const streamsGrpc = require(`${clientRoot}generated/streams_grpc_pb.js`);
export const featuresGrpc = require(`${clientRoot}generated/serverfeatures_grpc_pb.js`);
export const pb = require(`${clientRoot}generated/streams_pb.js`);
export const shared = require(`${clientRoot}generated/shared_pb.js`);
export const featuresPb = require(`${clientRoot}generated/serverfeatures_pb.js`);
export const statusPb = require(`${clientRoot}generated/status_pb.js`);
export const anyPb = require(require.resolve('google-protobuf/google/protobuf/any_pb.js', { paths: [clientRoot] }));
export const emptyPb = require(require.resolve('google-protobuf/google/protobuf/empty_pb.js', { paths: [clientRoot] }));

/* Protobuf messages are untyped JS objects here; the peer only calls their generated accessors. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = any;

export interface PeerRecord {
  readonly streamName: string;
  readonly revision: number;
  readonly position: bigint;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Buffer;
  readonly metadata: Buffer;
  readonly created: bigint;
}

export function recordedOf(record: PeerRecord): Msg {
  const message = new pb.ReadResp.ReadEvent.RecordedEvent();
  const id = new shared.UUID();
  id.setString(record.id);
  message.setId(id);
  const identifier = new shared.StreamIdentifier();
  identifier.setStreamName(Buffer.from(record.streamName));
  message.setStreamIdentifier(identifier);
  message.setStreamRevision(String(record.revision));
  message.setPreparePosition(String(record.position));
  message.setCommitPosition(String(record.position));
  message.getMetadataMap().set('type', record.type);
  message.getMetadataMap().set('content-type', record.contentType);
  message.getMetadataMap().set('created', String(record.created));
  message.setCustomMetadata(record.metadata);
  message.setData(record.data);
  return message;
}
