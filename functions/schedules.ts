/**
 * Jobs that run on a timer rather than on a request. The CDK stack gives each its own Lambda and
 * EventBridge schedule; `npm start` runs each on an interval. `handler` is relative to functions/.
 */
export interface Schedule {
  readonly name: string;
  readonly handler: string;
  readonly everyMinutes: number;
}

export const SCHEDULES: readonly Schedule[] = [
  { name: 'expire-uploads', handler: 'ost/sweep-expired.ts', everyMinutes: 15 },
  { name: 'requeue-stranded', handler: 'worker/requeue-stranded.ts', everyMinutes: 1 },
];
