/**
 * What survives a reload of an upload in progress: the session and every landed slice's ETag, in
 * localStorage under the file's identity (name, size, last modified) and the client, as
 * tessera-upload keeps FILE.tessera-upload.json.
 */
export interface UploadState {
  readonly version: 1;
  readonly clientId: string;
  readonly file: { readonly name: string; readonly size: number; readonly lastModified: number };
  readonly uploadId: string;
  readonly sliceSize: number;
  /** slice id → ETag. */
  readonly done: Readonly<Record<string, string>>;
  readonly target: string;
  readonly overwrite: boolean;
}

const PREFIX = 'tessera.upload.';

const keyOf = (clientId: string, file: UploadState['file']) => `${PREFIX}${clientId}:${file.name}:${file.size}:${file.lastModified}`;

export const identityOf = (file: File): UploadState['file'] => ({ name: file.name, size: file.size, lastModified: file.lastModified });

export function loadState(clientId: string, file: UploadState['file']): UploadState | undefined {
  const raw = localStorage.getItem(keyOf(clientId, file));
  if (!raw) return undefined;
  try {
    const state = JSON.parse(raw) as UploadState;
    return state.version === 1 ? state : undefined;
  } catch {
    return undefined;
  }
}

export const saveState = (state: UploadState): void => localStorage.setItem(keyOf(state.clientId, state.file), JSON.stringify(state));

export const forgetState = (state: Pick<UploadState, 'clientId' | 'file'>): void =>
  localStorage.removeItem(keyOf(state.clientId, state.file));

/** Uploads of this client left unfinished (by a reload, a crash, a closed tab). */
export function unfinished(clientId: string): UploadState[] {
  const found: UploadState[] = [];
  for (let index = 0; index < localStorage.length; index++) {
    const key = localStorage.key(index);
    if (!key?.startsWith(`${PREFIX}${clientId}:`)) continue;
    try {
      found.push(JSON.parse(localStorage.getItem(key) ?? '') as UploadState);
    } catch {
      localStorage.removeItem(key);
    }
  }
  return found;
}
