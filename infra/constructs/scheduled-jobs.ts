import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { SCHEDULES } from '../../functions/schedules.ts';
import { TesseraFunction, type SharedResources } from './tessera-function.ts';

/** Every job of functions/schedules.ts: its own Lambda, run by an EventBridge schedule. */
export class ScheduledJobs extends Construct {
  constructor(scope: Construct, id: string, resources: SharedResources) {
    super(scope, id);
    for (const schedule of SCHEDULES) {
      const { fn } = new TesseraFunction(this, schedule.name, {
        access: schedule.name,
        entry: fileURLToPath(new URL(`../../functions/${schedule.handler}`, import.meta.url)),
        description: `Tessera scheduled job ${schedule.name}`,
        timeout: Duration.minutes(5),
        resources,
      });
      new Rule(this, `${schedule.name}Schedule`, {
        schedule: Schedule.rate(Duration.minutes(schedule.everyMinutes)),
        targets: [new LambdaFunction(fn, { retryAttempts: 2 })],
      });
    }
  }
}
