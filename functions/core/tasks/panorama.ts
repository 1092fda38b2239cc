import type { PanoramaLayout } from '../panorama/layout.ts';
import type { PanoramaQualities, TileFormat } from '../panorama/submission.ts';

export interface PanoramaSpec {
  /** The original's key; the set goes under `${key}/`. */
  readonly key: string;
  /** The original this build is of: a newer upload under the same name supersedes it. */
  readonly etag: string;
  readonly extension: string;
  readonly format: TileFormat;
  readonly qualities: PanoramaQualities;
}

/** What the worker records: enough to name every file the build wrote. */
export interface PanoramaResult {
  readonly layout: PanoramaLayout;
}
