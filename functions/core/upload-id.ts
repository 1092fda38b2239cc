import { randomBytes } from 'node:crypto';

/** Upload ids: "up_" and 24 random hex digits. Not secrets: they appear in every download URL. */
export const newUploadId = (): string => `up_${randomBytes(12).toString('hex')}`;

export const UPLOAD_ID_PATTERN = /^up_[0-9a-f]{24}$/;

export const isUploadId = (value: string): boolean => UPLOAD_ID_PATTERN.test(value);
