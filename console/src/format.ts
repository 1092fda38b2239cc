const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function bytes(count: number): string {
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${UNITS[unit]}`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '…';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "3.2 MiB/s, 12 s left" from bytes sent this run, the time since it began and what is left. */
export function rateAndEta(sent: number, elapsedSeconds: number, remaining: number): string {
  const rate = elapsedSeconds > 0 ? sent / elapsedSeconds : 0;
  return `${bytes(rate)}/s, ${rate > 0 ? duration(remaining / rate) : '…'} left`;
}

/** A random id for request_id fields. */
export const requestId = (): string => crypto.randomUUID().replace(/-/g, '');
