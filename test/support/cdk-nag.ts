import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * cdk-nag AwsSolutions findings in a scope that no acknowledgement covers, one line each: rule and
 * where; and a line of its own when the run reports failure without naming a finding.
 */
export function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  const findings = report.violations.map(
    (violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.locations.join(',')).join(' ')}`,
  );
  return report.success || findings.length > 0 ? findings : ['the cdk-nag run reported failure'];
}
