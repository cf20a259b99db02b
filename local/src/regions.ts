// One stack, many regions: each request is served by the region of its SigV4 credential scope, as each AWS
// region is its own endpoint. The stack's own region (where the pipeline is deployed) holds the services the
// stack provisions; another region's services are made the first time a request names that region, empty,
// with that region in their ARNs, so that two regions never see each other's resources.
import { AwsError } from './aws/errors.js';

/** A region name as AWS spells them: `us-east-1`, `eu-west-3`, `us-gov-west-1`, `ap-southeast-5`. */
export const REGION_NAME = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
/** AWS has fewer than 40 regions: a client inventing more is refused, not given memory. */
export const MAX_REGIONS = 40;

/** The refusal for a credential scope that names no region AWS could have. */
export const invalidRegion = (region: string): AwsError =>
  new AwsError(
    'InvalidSignatureException',
    `Credential should be scoped to a valid region, not '${region.slice(0, 64)}'.`,
    403,
  );

export class Regional<T> {
  private readonly others = new Map<string, T>();

  constructor(
    readonly home: string,
    private readonly homeValue: T,
    private readonly create: (region: string) => T,
  ) {}

  /** The value of `region` (the stack's own for an unsigned request), made on first use. */
  in(region: string | undefined): T {
    if (region === undefined || region === this.home) return this.homeValue;
    const existing = this.others.get(region);
    if (existing !== undefined) return existing;
    if (!REGION_NAME.test(region) || this.others.size + 1 >= MAX_REGIONS) throw invalidRegion(region);
    const made = this.create(region);
    this.others.set(region, made);
    return made;
  }

  /** Every region's value made so far, the stack's own first. */
  all(): T[] {
    return [this.homeValue, ...this.others.values()];
  }
}

/** CloudFormation deploys to the stack's own region, where its services are. */
export const cloudFormationElsewhere = (region: string, home: string): AwsError =>
  new AwsError(
    'ValidationError',
    `The offline stack deploys CloudFormation stacks to its own region (${home}), not ${region.slice(0, 64)}`,
  );
