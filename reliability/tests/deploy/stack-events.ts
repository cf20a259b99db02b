/** The resource types a stack operation touched: its events newer than the first `eventsBefore` (newest first). */
export function resourceTypesTouched(
  events: { ResourceType: string }[] | undefined,
  eventsBefore: number,
): string[] {
  const update = (events ?? []).slice(0, -eventsBefore || undefined);
  return [
    ...new Set(
      update
        .filter((event) => event.ResourceType !== 'AWS::CloudFormation::Stack')
        .map((event) => event.ResourceType),
    ),
  ].sort();
}
