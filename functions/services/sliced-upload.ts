import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Client } from '../core/client.ts';
import type { UploadedFile } from '../core/uploaded-file.ts';
import { conflict, invalidInput, notFound } from '../core/errors.ts';
import { checkSlices, describeIds, MAX_PART_BYTES, planParts, readyParts, type PlannedPart } from '../core/slices.ts';
import { newUploadId } from '../core/upload-id.ts';
import { config, ostConfig } from '../config.ts';
import { BUCKET } from '../resources.ts';
import { multipartStore, type CompletedPart } from '../adapters/multipart-store.ts';
import { objectStore } from '../adapters/object-store.ts';
import { uploadSessions, type SessionKey, type SliceMode, type UploadSession } from '../adapters/upload-sessions.ts';

const LOCK_LEASE_MS = 60_000;
/** How long a complete waits for another complete of the same upload before answering 409 (under API Gateway's 29 s). */
const COMPLETE_WAIT_MS = 20_000;
const MAX_PRESIGN_BATCH = 1000;

export const expired = (detail = 'upload has expired or does not exist') => notFound(detail);

/** Where a client's uploaded files go: its first namespace, under ost/<upload id>/. */
function objectKeyFor(client: Client, uploadId: string, fileName: string | undefined): string {
  const safe =
    (fileName ?? '')
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\.+/, '')
      .slice(0, 200) || 'data';
  return `${client.namespaces[0]}/ost/${uploadId}/${safe}`;
}

function requireNamespace(client: Client): void {
  if (client.namespaces.length === 0) throw invalidInput('this client owns no namespace to store files in');
}

const keyOf = (client: Client, uploadId: string): SessionKey => ({ clientId: client.clientId, uploadId });

/** The client's session by that id, or 10005: another client's id reads exactly as an unknown one. */
async function ownSession(client: Client, uploadId: string): Promise<UploadSession> {
  const session = await uploadSessions.get(keyOf(client, uploadId));
  if (!session) throw expired();
  return session;
}

/** Refuses a session that has ended; `completed` and `completing` are left to the caller. */
function checkNotEnded(session: UploadSession, now: number): void {
  if (session.state === 'expired' || (session.state === 'open' && now > session.expiresAtMs)) throw expired('upload has expired');
  if (session.state === 'cancelled') throw expired('upload was cancelled');
}

/** The session, if it is still taking slices; otherwise 10005 or a clear refusal. */
async function openSession(client: Client, uploadId: string, now: number): Promise<UploadSession> {
  const session = await ownSession(client, uploadId);
  checkNotEnded(session, now);
  if (session.state === 'completed') throw conflict('upload is already completed; it takes no more slices');
  if (session.state === 'completing') throw conflict('upload is being completed; it takes no more slices');
  return session;
}

function otherWayTaken(mode: SliceMode) {
  const other = mode === 'proxied' ? 'presigned URLs' : 'proxied slices through /file/mpupload/upload';
  return invalidInput(`this upload already sends its slices as ${other}; one upload cannot mix the two ways`);
}

/** Refuses, before anything is written, a session that already sends its slices the other way. */
function checkMode(session: UploadSession, mode: SliceMode): void {
  if (session.mode !== undefined && session.mode !== mode) throw otherWayTaken(mode);
}

/** Fixes the session's way of sending slices (a conditional write: the first way taken stays). */
async function fixMode(session: UploadSession, mode: SliceMode): Promise<void> {
  if (session.mode === mode) return;
  if (await uploadSessions.setMode(session, mode)) return;
  const now = await uploadSessions.get(session);
  if (now?.state !== 'open') throw conflict(`upload is ${now?.state ?? 'gone'}; it takes no more slices`);
  throw otherWayTaken(mode);
}

async function downloadUrl(key: string): Promise<string> {
  return objectStore.downloadUrl(key, config.downloadUrlTtlSeconds());
}

export const slicedUpload = {
  /** /file/upload: one request, one file. */
  async uploadWhole(client: Client, file: UploadedFile): Promise<string> {
    requireNamespace(client);
    const key = objectKeyFor(client, newUploadId(), file.filename);
    if (file.kind === 'held') await objectStore.put(key, file.data, { contentType: file.contentType, createOnly: true });
    else await objectStore.copyWithin(file.key, key, { contentType: file.contentType });
    return downloadUrl(key);
  },

  async init(client: Client, fileName: string | undefined, now = Date.now()): Promise<string> {
    requireNamespace(client);
    const uploadId = newUploadId();
    const objectKey = objectKeyFor(client, uploadId, fileName);
    const s3UploadId = await multipartStore.create(objectKey, 'application/octet-stream');
    await uploadSessions.create({
      uploadId,
      clientId: client.clientId,
      objectKey,
      s3UploadId,
      state: 'open',
      createdAt: new Date(now).toISOString(),
      expiresAtMs: now + ostConfig.sessionTtlSeconds() * 1000,
      nextPart: 1,
    });
    return uploadId;
  },

  /**
   * A proxied slice, streamed into staging as it arrives, then assembled into parts as soon as a
   * run reaches 5 MiB. Its size is bounded by the request's (TESSERA_MAX_BODY_BYTES).
   */
  async uploadSlice(client: Client, uploadId: string, sliceId: number, file: UploadedFile, now = Date.now()): Promise<void> {
    const session = await openSession(client, uploadId, now);
    checkMode(session, 'proxied');
    const rev = randomUUID();
    const stagedKey = `${BUCKET.stagingPrefix}${uploadId}/${sliceId}/${rev}`;
    let size: number;
    if (file.kind === 'held') {
      await multipartStore.putStaged(stagedKey, file.data);
      size = file.data.length;
    } else {
      await objectStore.copyWithin(file.key, stagedKey);
      size = file.size;
    }
    // Only a slice that is staged fixes the way: one that fails before this leaves the session as it was.
    await fixMode(session, 'proxied');
    await uploadSessions.putSlice(session, { sliceId, size, rev, stagedKey }, session.expiresAtMs);
    // A complete that began while this slice was being written may not include it: say so.
    const after = await uploadSessions.get(session);
    if (after?.state !== 'open') throw conflict(`upload is ${after?.state ?? 'gone'}; slice ${sliceId} was not taken`);
    await assembleReadyRuns(session, now);
  },

  /** Presigned UploadPart URLs for slices of declared sizes (5 MiB–5 GiB, the last may be smaller). */
  async presign(client: Client, uploadId: string, slices: ReadonlyArray<{ sliceId: number; size: number }>, now = Date.now()) {
    if (slices.length === 0 || slices.length > MAX_PRESIGN_BATCH) throw invalidInput(`ask for 1 to ${MAX_PRESIGN_BATCH} slices at a time`);
    const tooBig = slices.filter((slice) => slice.size > MAX_PART_BYTES || slice.size < 1).map((slice) => slice.sliceId);
    if (tooBig.length) throw invalidInput(`slice sizes must be 1 byte to 5 GiB: ${describeIds(tooBig)}`);
    const session = await openSession(client, uploadId, now);
    await fixMode(session, 'presigned');
    const expiresIn = ostConfig.partUrlTtlSeconds();
    const expiresAt = new Date(now + expiresIn * 1000).toISOString();
    return Promise.all(
      slices.map(async ({ sliceId, size }) => {
        await uploadSessions.putSlice(session, { sliceId, size, rev: randomUUID() }, session.expiresAtMs);
        const url = await multipartStore.presignPart(session.objectKey, session.s3UploadId, sliceId, size, expiresIn);
        return { sliceId, url, expiresAt };
      }),
    );
  },

  /**
   * Checks slices 1..N, turns what is not yet a part into parts, completes the S3 upload and
   * answers its download URL. Completes of the same upload run one at a time: one that finds
   * another under way waits for its outcome, so every caller gets the same URL (or, if the other
   * failed on the client's input, runs again and gets the same refusal).
   */
  async complete(client: Client, uploadId: string, reported: readonly CompletedPart[] | undefined, now = Date.now()): Promise<string> {
    const giveUpAt = Date.now() + COMPLETE_WAIT_MS;
    for (;;) {
      const session = await ownSession(client, uploadId);
      if (session.state === 'completed' && session.url) return session.url;
      checkNotEnded(session, now);
      const token = randomUUID();
      if (await uploadSessions.beginComplete(session, token, Date.now(), LOCK_LEASE_MS)) return completeHolding(session, token, reported);
      if (Date.now() >= giveUpAt) throw conflict('upload is being completed by another request; try again shortly');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  },

  async cancel(client: Client, uploadId: string, now = Date.now()): Promise<void> {
    const session = await ownSession(client, uploadId);
    if (session.state === 'cancelled') return;
    if (session.state === 'completed') throw conflict('upload is already completed and cannot be cancelled');
    if (session.state === 'expired' || now > session.expiresAtMs) throw expired('upload has expired');
    if (!(await uploadSessions.close(session, 'cancelled', now))) throw conflict('upload is being completed; it cannot be cancelled now');
    await discard(session);
  },

  /** Closes sessions whose time ran out: aborts their S3 uploads and removes staged slices. */
  async expireStale(now = Date.now(), limit = 100): Promise<number> {
    let closed = 0;
    for (const session of await uploadSessions.expiredOpen(now, limit)) {
      if (await uploadSessions.close(session, 'expired', now)) {
        await discard(session);
        closed++;
      }
    }
    return closed;
  },
};

async function discard(session: UploadSession): Promise<void> {
  await multipartStore.abort(session.objectKey, session.s3UploadId);
  await multipartStore.deletePrefix(`${BUCKET.stagingPrefix}${session.uploadId}/`);
}

/** The rest of complete, once `token` holds the session: read again, since it may have changed before the lock. */
async function completeHolding(read: UploadSession, token: string, reported: readonly CompletedPart[] | undefined): Promise<string> {
  let session = read;
  try {
    session = (await uploadSessions.get(read)) ?? read;
    const parts = session.mode === 'presigned' ? await presignedParts(session, reported) : await proxiedParts(session);
    await multipartStore.complete(session.objectKey, session.s3UploadId, parts);
  } catch (error) {
    await uploadSessions.abandonComplete(session, token);
    throw error;
  }
  const url = await downloadUrl(session.objectKey);
  await uploadSessions.finishComplete(session, token, url);
  await multipartStore.deletePrefix(`${BUCKET.stagingPrefix}${session.uploadId}/`);
  return url;
}

/** Assembles every part that is ready, one lock holder at a time; others leave it to the holder. */
async function assembleReadyRuns(key: SessionKey, now: number): Promise<void> {
  for (;;) {
    const session = await uploadSessions.get(key);
    if (!session || session.state !== 'open') return;
    const slices = await uploadSessions.slices(key);
    const ready = readyParts(new Map(slices.map((slice) => [slice.sliceId, slice.size])), session.nextPart);
    if (!ready.length) return;
    const token = randomUUID();
    if (!(await uploadSessions.lockAssembly(key, session.nextPart, token, now, LOCK_LEASE_MS))) return;
    for (const part of ready) await assemblePart(session, part, slices);
    await uploadSessions.finishAssembly(key, token, ready.at(-1)!.partNumber + 1);
  }
}

type Slices = Awaited<ReturnType<typeof uploadSessions.slices>>;

/**
 * What a part is made of: each piece's slice, that slice's revision, and the byte range of it the
 * part holds. A part is reused only if all of it is unchanged: a slice sent again at another size
 * moves every later byte, so a part lying wholly inside a later, unchanged slice now holds another
 * range of it. (Records written without ranges never match, and are rebuilt.)
 */
function piecesOf(part: PlannedPart, slices: Slices): string {
  const byId = new Map(slices.map((slice) => [slice.sliceId, slice]));
  return part.pieces.map((piece) => `${piece.sliceId}:${byId.get(piece.sliceId)!.rev}:${piece.start}-${piece.end}`).join(',');
}

/** Streams the part's pieces, each a range of a staged slice, into one S3 part. */
async function assemblePart(session: UploadSession, part: PlannedPart, slices: Slices): Promise<CompletedPart> {
  const byId = new Map(slices.map((slice) => [slice.sliceId, slice]));
  const body = Readable.from(
    (async function* () {
      for (const piece of part.pieces) yield* await multipartStore.openStaged(byId.get(piece.sliceId)!.stagedKey!, piece.start, piece.end);
    })(),
  );
  const etag = await multipartStore.uploadPart(session.objectKey, session.s3UploadId, part.partNumber, body, part.size);
  await uploadSessions.putPart(
    session,
    { partNumber: part.partNumber, offset: part.offset, size: part.size, etag, revs: piecesOf(part, slices) },
    session.expiresAtMs,
  );
  return { partNumber: part.partNumber, etag };
}

/** Parts for a proxied upload: those already assembled from the same bytes, the rest now. */
async function proxiedParts(session: UploadSession): Promise<CompletedPart[]> {
  const slices = await uploadSessions.slices(session);
  checkSlices(slices, { partSized: false });
  const assembled = new Map((await uploadSessions.parts(session)).map((part) => [part.partNumber, part]));
  return Promise.all(
    planParts(slices).map(async (part) => {
      const done = assembled.get(part.partNumber);
      if (done && done.offset === part.offset && done.size === part.size && done.revs === piecesOf(part, slices)) {
        return { partNumber: part.partNumber, etag: done.etag };
      }
      return assemblePart(session, part, slices);
    }),
  );
}

/** Parts for a presigned upload: one per slice, with the ETags S3 gave the client for each PUT. */
async function presignedParts(key: SessionKey, reported: readonly CompletedPart[] | undefined): Promise<CompletedPart[]> {
  const slices = await uploadSessions.slices(key);
  checkSlices(slices, { partSized: true });
  const etags = new Map((reported ?? []).map((part) => [part.partNumber, part.etag]));
  const unreported = slices.map((slice) => slice.sliceId).filter((id) => !etags.get(id));
  if (unreported.length) {
    throw invalidInput(`complete must list the ETag S3 returned for every presigned slice; missing: ${describeIds(unreported)}`);
  }
  const extra = [...etags.keys()].filter((id) => !slices.some((slice) => slice.sliceId === id));
  if (extra.length) throw invalidInput(`complete lists slices that were never presigned: ${describeIds(extra)}`);
  return slices.map((slice) => ({ partNumber: slice.sliceId, etag: etags.get(slice.sliceId)!.replace(/^"|"$/g, '') }));
}
