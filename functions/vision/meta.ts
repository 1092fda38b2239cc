import { invalidInput } from '../core/errors.ts';
import { sizeOf, type UploadedFile } from '../core/uploaded-file.ts';
import { MAX_STORED_ID } from '../core/faces/space-changes.ts';

/**
 * The `meta` part of every persons request, read as VK's server reads it: `space` parsed as Go's
 * strconv.Atoi would (so its refusals quote Atoi), images matched to file parts by name (an image
 * without a name is the file part `file_<index>`, and meta without `images` means every image
 * part sent, in order: VK's Python tutorial sends `{"space":"1","create_new":false}` with one
 * photo and is answered for `file_0`), person ids from 1 to 4294967295 (as they are stored).
 */
export const MAX_IMAGES = 100;
export const MAX_SPACE = 9;

export interface ImageMeta {
  readonly name: string;
  readonly personId?: number;
}

export interface Meta {
  readonly space: string;
  readonly images: readonly ImageMeta[];
  readonly raw: Readonly<Record<string, unknown>>;
}

const ATOI = /^[+-]?\d+$/;

function spaceOf(value: unknown): string {
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : typeof value === 'string' ? value : '';
  if (!ATOI.test(text)) throw invalidInput(`wrong space param : strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  const space = Number(text);
  if (space < 0 || space > MAX_SPACE)
    throw invalidInput(`wrong space param : space ${text} is out of range: a client has spaces 0 to ${MAX_SPACE}`);
  return String(space);
}

function personIdOf(value: unknown): number | undefined {
  if (value === undefined || value === null || value === 0) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_STORED_ID)
    throw invalidInput(`person_id must be a positive integer up to ${MAX_STORED_ID}, not ${JSON.stringify(value)}`);
  return value;
}

function imagesOf(value: unknown, required: boolean, sentParts: readonly string[]): ImageMeta[] {
  if (value === undefined && !required) return [];
  if (value === undefined && sentParts.length) value = sentParts.map((name) => ({ name }));
  if (!Array.isArray(value) || value.length === 0) throw invalidInput('meta.images must be a non-empty array');
  if (value.length > MAX_IMAGES) throw invalidInput(`too many images: ${value.length}, at most ${MAX_IMAGES} per request`);
  return value.map((image: unknown, index) => {
    if (typeof image !== 'object' || image === null || Array.isArray(image)) throw invalidInput(`meta.images[${index}] must be an object`);
    const { name, person_id: personId } = image as Record<string, unknown>;
    if (name !== undefined && (typeof name !== 'string' || name.length > 256))
      throw invalidInput(`meta.images[${index}].name must be a string of at most 256 characters`);
    return { name: name || `file_${index}`, personId: personIdOf(personId) };
  });
}

/**
 * Reads `meta`; `images` says whether the method needs them (truncate does not); `sentParts` are
 * the image parts' names in the order sent, which stand for `images` when meta has none.
 */
export function readMeta(text: string | undefined, images: 'required' | 'none', sentParts: readonly string[] = []): Meta {
  if (text === undefined || text.trim() === '') throw invalidInput('meta is required: a form part named meta holding JSON');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw invalidInput(`could not parse meta: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidInput('could not parse meta: a JSON object is expected');
  const fields = raw as Record<string, unknown>;
  return { space: spaceOf(fields.space), images: imagesOf(fields.images, images === 'required', sentParts), raw: fields };
}

/** Each image that names a person: VK's words for one that does not. */
export function requirePersonIds(meta: Meta): Array<ImageMeta & { personId: number }> {
  return meta.images.map((image) => {
    if (image.personId === undefined) throw invalidInput('no person_id has been provided');
    return image as ImageMeta & { personId: number };
  });
}

/** A boolean option of meta, with its default; VK's Go server takes only JSON booleans. */
export function flagOf(meta: Meta, name: string, fallback: boolean): boolean {
  const value = meta.raw[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw invalidInput(`meta.${name} must be true or false`);
  return value;
}

export const MAX_IMAGE_BYTES = 15 * 1024 * 1024;
export const MAX_REQUEST_IMAGE_BYTES = 30 * 1024 * 1024;

/** The file part each image names, in VK's words when one is missing or empty; the images' total within the request limit. */
export function filesOf(meta: Meta, files: Readonly<Record<string, UploadedFile>>): UploadedFile[] {
  const found = meta.images.map((image) => {
    const file = files[image.name];
    if (!file) throw invalidInput(`could not get image by name ${image.name}: http: no such file`);
    if (sizeOf(file) === 0) throw invalidInput('empty image');
    return file;
  });
  const total = [...new Set(found)].reduce((sum, file) => sum + sizeOf(file), 0);
  if (total > MAX_REQUEST_IMAGE_BYTES)
    throw invalidInput(`images total ${total} bytes: at most ${MAX_REQUEST_IMAGE_BYTES} (30 MiB) per request`);
  return found;
}
